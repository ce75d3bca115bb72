import { RecoveryOperation } from '@jss/contract';
import { PROFILES } from '@jss/tasks';
import { deciderContext, manifestOf, sentData, sentKeys, taskOf } from '@jss/testing';
import { decideStart } from './start.decider';

const MiB = 1 << 20;
const point = manifestOf('shop', { app: 3 * MiB, web: MiB });
const planned = { site: 'primary', vms: ['app', 'web'], timeoutSeconds: 60 };

/** A new task, per operation profile: announced, then quiesce first or ask for the temporaries. */
describe('decideStart', () => {
  it.each(Object.keys(PROFILES) as RecoveryOperation[])('%s: task.accepted, then what its profile says', async (op) => {
    const base = taskOf(op, point);
    const task = op === 'planned-failover' ? { ...base, spec: { ...base.spec, planned } } : base;
    const d = await decideStart(deciderContext([{ task }], [point]), { taskId: task.id });
    const profile = PROFILES[op];
    expect(sentData(d, 'task.accepted')).toMatchObject({ taskId: task.id, operation: op, domain: 'shop', vms: ['app', 'web'] });
    if (profile.quiesceFirst) {
      expect(d?.move).toEqual({ from: ['accepted'], to: 'quiescing' });
      expect(sentKeys(d)).toEqual(['task.accepted', 'provision.power-off']);
      expect(sentData(d, 'provision.power-off')).toMatchObject({ site: 'primary', vms: ['app', 'web'] });
      return;
    }
    expect(d?.move).toEqual({ from: ['accepted'], to: 'provisioning' });
    expect(sentKeys(d)).toEqual(['task.accepted', 'provision.prepare']);
    expect(sentData(d, 'provision.prepare')).toMatchObject({
      useRocva: profile.usesRocva,
      kind: profile.temporaries,
      vms: [
        { name: 'app', disks: [3 * MiB] },
        { name: 'web', disks: [MiB] },
      ],
    });
  });

  it('a task past accepted (a redelivered or repeated command) decides nothing', async () => {
    const task = taskOf('failover', point, { state: 'provisioning' });
    expect(await decideStart(deciderContext([{ task }], [point]), { taskId: task.id })).toBeNull();
    expect(await decideStart(deciderContext([], [point]), { taskId: task.id })).toBeNull();
  });

  it('a point gone from the store fails the task (unknown-recovery-point), everything released', async () => {
    const task = taskOf('restore', point);
    const d = await decideStart(deciderContext([{ task }], []), { taskId: task.id });
    expect(d?.move).toMatchObject({ to: 'failing', patch: { error: { reason: 'unknown-recovery-point' } } });
    expect(sentKeys(d)).toEqual(['janitor.release']);
  });
});
