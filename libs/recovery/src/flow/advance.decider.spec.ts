import { deciderContext, manifestOf, rehydrating, sentKeys } from '@jss/testing';
import { decideAdvance } from './advance.decider';

const MiB = 1 << 20;
const first = manifestOf('shop', { app: 3 * MiB }, '2026-01-01T00:00:00.000Z');
const standby = (extra = {}) => ({ ...rehydrating('continuous-failover', first), state: 'standby' as const, ...extra });

describe('decideAdvance (continuous failover in standby)', () => {
  it('a newer point → a delta round: rehydrating, the last round forgotten in the same move, jobs from the point the disks hold', async () => {
    const task = standby();
    const newer = manifestOf('shop', { app: 3 * MiB }, '2026-01-01T00:05:00.000Z');
    const d = await decideAdvance(deciderContext([{ task }], [first, newer]), { taskId: task.id });
    expect(d?.move).toMatchObject({
      from: ['standby'],
      to: 'rehydrating',
      resetJobs: true,
      patch: { point: { id: newer.id, time: newer.time }, basePoint: task.point },
    });
    expect(sentKeys(d)).toEqual(['rehydrate.range']);
    expect(d?.send[0].data).toMatchObject({ pointId: newer.id, previousPointId: first.id });
    expect(d?.then).toBe('check-rehydrated');
  });

  it('nothing newer: waits; with a cut-over asked → finalizing', async () => {
    const task = standby();
    expect(await decideAdvance(deciderContext([{ task }], [first]), { taskId: task.id })).toBeNull();
    const cut = standby({ cutover: true });
    const d = await decideAdvance(deciderContext([{ task: cut }], [first]), { taskId: cut.id });
    expect(d?.move).toEqual({ from: ['standby'], to: 'finalizing' });
    expect(sentKeys(d)).toEqual(['provision.finalize']);
  });

  it('a task not in standby decides nothing', async () => {
    const task = rehydrating('continuous-failover', first);
    const newer = manifestOf('shop', { app: 3 * MiB }, '2026-01-01T00:05:00.000Z');
    expect(await decideAdvance(deciderContext([{ task }], [first, newer]), { taskId: task.id })).toBeNull();
  });
});
