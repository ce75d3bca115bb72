import { Finalized } from '@jss/contract';
import { planOf, planStepsOf } from '@jss/recovery-plans';
import { Task } from '@jss/tasks';
import { deciderContext, manifestOf, sentData, sentKeys, taskOf } from '@jss/testing';
import { decideFinalized } from './finalized.decider';

const point = manifestOf('shop', { app: 1 << 20, web: 1 << 20 });
const up = (task: Task, vms = task.vms): Finalized => ({
  taskId: task.id,
  commandId: task.commandId,
  vms: vms.map((vm) => ({ vm, name: vm, site: 'recovery', ip: '10.0.0.7', poweredOnAt: new Date().toISOString() })),
});
const finalizing = (op: Task['operation'], spec: Partial<Task['spec']> = {}) => {
  const task = taskOf(op, point, { state: 'finalizing' });
  return { ...task, spec: { ...task.spec, ...spec } };
};

/** The VMs are up, per what the task holds them for: cleanup, a test, a commit; a plan's group. */
describe('decideFinalized', () => {
  it.each(['failover', 'planned-failover', 'continuous-failover', 'failback', 'restore'] as const)(
    '%s: cleaning, the temporaries released, the VMs kept',
    async (op) => {
      const task = finalizing(op);
      const d = await decideFinalized(deciderContext([{ task }]), up(task));
      expect(d?.move).toMatchObject({ from: ['finalizing'], to: 'cleaning', patch: { recovered: [{ vm: 'app' }, { vm: 'web' }] } });
      expect(sentKeys(d)).toEqual(['janitor.release']);
      expect(sentData(d, 'janitor.release')).toMatchObject({ removeRecovered: false });
    },
  );

  it('test-failover: testing until its cleanup or time limit, task.ready says when', async () => {
    const task = finalizing('test-failover', { ttlSeconds: 600 });
    const d = await decideFinalized(deciderContext([{ task }]), up(task));
    expect(d?.move).toMatchObject({ to: 'testing', patch: { expiresAt: expect.any(String) } });
    expect(sentKeys(d)).toEqual(['task.ready']);
    expect(Date.parse(sentData<{ expiresAt: string }>(d, 'task.ready').expiresAt) - Date.now()).toBeGreaterThan(590_000);
  });

  it.each([
    ['manual', undefined],
    ['rollback', 30],
  ] as const)(
    'a commit policy (%s, after %s s): awaiting-commit, task.ready, the temporaries released now',
    async (policy, afterSeconds) => {
      const task = finalizing('failover', { commit: { policy, afterSeconds } });
      const d = await decideFinalized(deciderContext([{ task }]), up(task));
      expect(d?.move?.to).toBe('awaiting-commit');
      expect(sentKeys(d)).toEqual(['task.ready', 'janitor.release']);
      expect(sentData(d, 'task.ready')).toMatchObject({ commit: policy, expiresAt: afterSeconds ? expect.any(String) : null });
    },
  );

  it('with a recovery plan: the group’s power-on ends (claim), its VMs join the recovered ones, the plan goes on', async () => {
    const plan = planOf({ domain: 'shop', groups: [{ name: 'a', delaySeconds: 0, vms: ['app'], before: [], after: [] }] });
    const task = finalizing('failover', { recoveryPlan: { version: 1, steps: planStepsOf(plan, ['app', 'web']) } });
    const steps = { 'a.power-on': { status: 'running' as const, startedAt: task.createdAt, sentAt: task.createdAt } };
    const d = await decideFinalized(deciderContext([{ task, steps }]), up(task, ['app']));
    expect(d?.record).toEqual([{ kind: 'patch', patch: { recovered: [expect.objectContaining({ vm: 'app' })] } }]);
    expect(d?.claim).toMatchObject({ kind: 'step', stepId: 'a.power-on', guard: 'running', fields: { status: 'completed' } });
    expect(d?.move).toBeUndefined();
    expect(sentKeys(d)).toEqual(['plan.step-completed']);
    expect(d?.then).toBe('plan');
    // a group the plan is not powering on (a late or invented reply)
    expect(await decideFinalized(deciderContext([{ task, steps }]), up(task, ['web']))).toBeNull();
  });

  it('a task not finalizing decides nothing', async () => {
    const task = { ...finalizing('failover'), state: 'cleaning' as const };
    expect(await decideFinalized(deciderContext([{ task }]), up(task))).toBeNull();
  });
});
