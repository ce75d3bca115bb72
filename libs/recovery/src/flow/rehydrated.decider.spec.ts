import { RecoveryOperation } from '@jss/contract';
import { PlanDocument, planOf, planStepsOf } from '@jss/recovery-plans';
import { PROFILES } from '@jss/tasks';
import { deciderContext, manifestOf, rehydrating, sentData, sentKeys } from '@jss/testing';
import { decideRehydrated } from './rehydrated.decider';

const MiB = 1 << 20;
const point = manifestOf('shop', { app: 3 * MiB, web: MiB });

/** Every range of the round done, per operation profile: finalize, or (continuous) stand by. */
describe('decideRehydrated', () => {
  it.each(Object.keys(PROFILES) as RecoveryOperation[])('%s', async (op) => {
    const task = rehydrating(op, point);
    const jobs = task.jobs!;
    const done = jobs.map((j) => j.jobId);
    const bytes = Object.fromEntries(jobs.map((j) => [j.jobId, j.bytes]));
    const stat = { bytesRead: MiB, blocksRead: 1, blocksZero: 0, blocksUnchanged: 3, startedAt: task.createdAt, doneAt: task.createdAt };
    const stats = Object.fromEntries(jobs.map((j) => [j.jobId, stat]));
    const d = await decideRehydrated(deciderContext([{ task, done, bytes, stats }]), { taskId: task.id });
    expect(sentData(d, 'task.progress')).toMatchObject({ bytesDone: 4 * MiB, bytesTotal: 4 * MiB });
    if (!PROFILES[op].continuous) {
      expect(d?.move).toEqual({ from: ['rehydrating'], to: 'finalizing' });
      expect(sentKeys(d)).toEqual(['task.progress', 'provision.finalize']);
      expect(sentData(d, 'provision.finalize')).toMatchObject({ kind: PROFILES[op].temporaries });
      return;
    }
    expect(d?.move).toEqual({ from: ['rehydrating'], to: 'standby' });
    expect(sentKeys(d)).toEqual(['task.progress', 'task.synced']);
    expect(sentData(d, 'task.synced')).toMatchObject({
      recoveryPoint: task.point,
      bytesRead: jobs.length * MiB,
      blocksUnchanged: 3 * jobs.length,
    });
    expect(d?.then).toBe('advance');
  });

  it('with a recovery plan: finalizing, and the plan powers its groups on (no finalize of every VM, which the provisioner would refuse)', async () => {
    const plain = rehydrating('failover', point);
    const doc = { domain: 'shop', groups: [{ name: 'all', vms: ['app', 'web'], delaySeconds: 0, before: [], after: [] }] } as PlanDocument;
    const steps = planStepsOf(planOf(doc), ['app', 'web']);
    const task = { ...plain, spec: { ...plain.spec, bootOrder: [], recoveryPlan: { version: 1, steps } } };
    const done = task.jobs!.map((j) => j.jobId);
    const d = await decideRehydrated(deciderContext([{ task, done }]), { taskId: task.id });
    expect(d?.move).toEqual({ from: ['rehydrating'], to: 'finalizing' });
    expect(sentKeys(d)).toEqual(['task.progress']);
    expect(d?.then).toBe('plan');
  });

  it('a job still out, or a task not rehydrating, decides nothing', async () => {
    const task = rehydrating('failover', manifestOf('shop', { app: 300 * MiB }));
    expect(await decideRehydrated(deciderContext([{ task, done: [task.jobs![0].jobId] }]), { taskId: task.id })).toBeNull();
    const standby = { ...task, state: 'standby' as const };
    const all = task.jobs!.map((j) => j.jobId);
    expect(await decideRehydrated(deciderContext([{ task: standby, done: all }]), { taskId: task.id })).toBeNull();
  });
});
