import { deciderContext, manifestOf, sentData, sentKeys, taskOf } from '@jss/testing';
import { decideAwaitPoint } from './await-point.decider';

const old = manifestOf('shop', { app: 1 << 20 }, '2026-01-01T00:00:00.000Z');
const poweredOffAt = '2026-01-01T01:00:00.000Z';
const planned = { site: 'primary', vms: ['app'], timeoutSeconds: 30 };
const waiting = () => {
  const base = taskOf('planned-failover', old, { state: 'awaiting-point', poweredOffAt });
  return { ...base, spec: { ...base.spec, planned } };
};
const off = Date.parse(poweredOffAt);

describe('decideAwaitPoint (planned failover)', () => {
  it('a point newer than the power-off → provisioning from it, with no data lost', async () => {
    const task = waiting();
    const final = manifestOf('shop', { app: 1 << 20 }, '2026-01-01T01:00:05.000Z');
    const d = await decideAwaitPoint(deciderContext([{ task }], [old, final]), { taskId: task.id, now: off + 10_000 });
    expect(d?.move).toEqual({ from: ['awaiting-point'], to: 'provisioning', patch: { point: { id: final.id, time: final.time } } });
    expect(sentKeys(d)).toEqual(['provision.prepare']);
    expect(sentData(d, 'provision.prepare')).toMatchObject({ vms: [{ name: 'app' }] });
  });

  it('no newer point: waits within the timeout, then fails with point-timeout (the source VMs go back on)', async () => {
    const task = waiting();
    const ctx = deciderContext([{ task }], [old]);
    expect(await decideAwaitPoint(ctx, { taskId: task.id, now: off + 29_000 })).toBeNull();
    const d = await decideAwaitPoint(ctx, { taskId: task.id, now: off + 31_000 });
    expect(d?.move).toMatchObject({ to: 'failing', patch: { error: { reason: 'point-timeout' } } });
    expect(sentData(d, 'janitor.release')).toMatchObject({ removeRecovered: true, powerOn: { site: 'primary', vms: ['app'] } });
  });

  it('in any other state decides nothing', async () => {
    const task = { ...waiting(), state: 'provisioning' as const };
    expect(await decideAwaitPoint(deciderContext([{ task }], [old]), { taskId: task.id })).toBeNull();
  });
});
