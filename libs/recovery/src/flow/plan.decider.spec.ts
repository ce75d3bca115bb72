import { PlanDocument, planOf, planStepsOf } from '@jss/recovery-plans';
import { PlanStepProgress, Task } from '@jss/tasks';
import { deciderContext, manifestOf, rehydrating, sentData, sentKeys, taskOf } from '@jss/testing';
import { decidePlan } from './plan.decider';
import { POWER_ON_RESEND_MS } from './plan-decisions';

const point = manifestOf('shop', { db: 1 << 20, app: 1 << 20 });
const T0 = Date.parse('2026-01-01T00:00:00.000Z');
const at = (ms: number) => new Date(T0 + ms).toISOString();
const step = (s: Record<string, unknown>) => ({ 'continue-on-failure': false, ...s });

/** data: wait 10, power-on db, approve (60 s); logic (5 s after data is up): power-on app, webhook, check. */
const PLAN: PlanDocument = {
  domain: 'shop',
  groups: [
    {
      name: 'data',
      delaySeconds: 0,
      vms: ['db'],
      before: [step({ wait: 10 })],
      after: [step({ approve: { timeoutSeconds: 60, onTimeout: 'fail' } })],
    },
    {
      name: 'logic',
      delaySeconds: 5,
      vms: ['app'],
      before: [],
      after: [step({ webhook: { url: 'http://127.0.0.1:9/h', timeoutSeconds: 1, retries: 0 } }), step({ check: { timeoutSeconds: 5 } })],
    },
  ],
} as PlanDocument;

function finalizing(state: Task['state'] = 'finalizing'): Task {
  const task = { ...rehydrating('failover', point), state, recovered: [] };
  const steps = planStepsOf(planOf(PLAN), ['db', 'app']);
  return { ...task, spec: { ...task.spec, recoveryPlan: { version: 1, steps } } };
}
const running = (startedAt: number, more: Partial<PlanStepProgress> = {}): PlanStepProgress => ({
  status: 'running',
  startedAt: at(startedAt),
  ...more,
});
const done = (endedAt: number): PlanStepProgress => ({ status: 'completed', startedAt: at(0), endedAt: at(endedAt) });
const decide = (task: Task, steps: Record<string, PlanStepProgress>, now: number) =>
  decidePlan(deciderContext([{ task, steps }]), { taskId: task.id, now: T0 + now });

describe('decidePlan: each kind of step, started, waited for, ended', () => {
  it('wait, reached: started (claim new), a movement for the watchdog, a wake-up at its end', async () => {
    const d = await decide(finalizing(), {}, 0);
    expect(d?.claim).toEqual({ kind: 'step', stepId: 'data.before.1', guard: 'new', fields: { status: 'running', startedAt: at(0) } });
    expect(d?.record).toEqual([{ kind: 'touch' }]);
    expect(sentKeys(d)).toEqual(['plan.step-started']);
    expect(d?.wakeAt).toBe(T0 + 10_000);
  });

  it('wait, at its end: ended (claim on the running step), the plan looked at again', async () => {
    const d = await decide(finalizing(), { 'data.before.1': running(0) }, 10_000);
    expect(d?.claim).toEqual({
      kind: 'step',
      stepId: 'data.before.1',
      guard: 'running',
      fields: { status: 'completed', endedAt: at(10_000) },
    });
    expect(sentKeys(d)).toEqual(['plan.step-completed']);
    expect(d?.then).toBe('plan');
  });

  it('power-on, reached with no delay: started and sent in one claim, looked at again after the resend time', async () => {
    const d = await decide(finalizing(), { 'data.before.1': done(10_000) }, 10_000);
    expect(d?.claim).toMatchObject({ stepId: 'data.power-on', guard: 'new', fields: { status: 'running', sentAt: at(10_000) } });
    expect(sentKeys(d)).toEqual(['plan.step-started', 'provision.finalize']);
    expect(sentData<{ vms: Array<{ vm: string }> }>(d, 'provision.finalize').vms.map((v) => v.vm)).toEqual(['db']);
    expect(d?.wakeAt).toBe(T0 + 10_000 + POWER_ON_RESEND_MS);
  });

  it('power-on sent: nothing until the resend time, then the same finalize again under a lease', async () => {
    const steps = { 'data.before.1': done(0), 'data.power-on': running(0, { sentAt: at(0) }) };
    expect(await decide(finalizing(), steps, POWER_ON_RESEND_MS)).toBeNull();
    const d = await decide(finalizing(), steps, POWER_ON_RESEND_MS + 1);
    expect(d?.claim).toEqual({ kind: 'lease', stepId: 'data.power-on', ms: POWER_ON_RESEND_MS });
    expect(sentKeys(d)).toEqual(['provision.finalize']);
  });

  it('power-on after a delay: counted from the group before being up; waiting is a movement', async () => {
    const steps = { 'data.before.1': done(0), 'data.power-on': done(20_000), 'data.after.1': done(30_000) };
    const early = await decide(finalizing(), steps, 24_000);
    expect(early).toMatchObject({ claim: { stepId: 'logic.power-on', guard: 'new' }, record: [{ kind: 'touch' }], wakeAt: T0 + 25_000 });
    expect(sentKeys(early)).toEqual(['plan.step-started']);
    const due = await decide(finalizing(), { ...steps, 'logic.power-on': running(24_000) }, 25_000);
    expect(due?.claim).toEqual({ kind: 'step', stepId: 'logic.power-on', guard: 'unsent', fields: { sentAt: at(25_000) } });
  });

  const atApprove = { 'data.before.1': done(0), 'data.power-on': done(1000) };

  it('approve, reached: started with its expiry, the task paused (awaiting-approval) in the same claim', async () => {
    const d = await decide(finalizing(), atApprove, 2000);
    expect(d?.claim).toMatchObject({ stepId: 'data.after.1', guard: 'new' });
    expect(d?.move).toEqual({ from: ['finalizing'], to: 'awaiting-approval' });
    expect(sentData(d, 'plan.step-started')).toMatchObject({ kind: 'approve', expiresAt: at(62_000) });
    expect(d?.wakeAt).toBe(T0 + 62_000);
  });

  it('approve past its timeout (onTimeout: fail): the step fails and the task with it, in one claim and move', async () => {
    const d = await decide(finalizing('awaiting-approval'), { ...atApprove, 'data.after.1': running(2000) }, 62_000);
    expect(d?.claim).toMatchObject({ stepId: 'data.after.1', guard: 'running', fields: { status: 'failed', timedOut: true } });
    expect(d?.move).toMatchObject({ to: 'failing', patch: { error: { reason: 'plan-step-failed' } } });
    expect(sentKeys(d)).toEqual(['plan.step-failed', 'janitor.release']);
  });

  const atLogic = { ...atApprove, 'data.after.1': done(3000), 'logic.power-on': done(9000) };

  it.each([
    ['webhook', 'logic.after.1', {}],
    ['check', 'logic.after.2', { 'logic.after.1': done(9500) }],
  ])('%s: run by the flow in the background (effect), a movement while it runs', async (kind, stepId, before) => {
    const d = await decide(finalizing(), { ...atLogic, ...before }, 10_000);
    expect(d?.effect).toMatchObject({ kind, stepId });
    expect(d?.claim).toMatchObject({ stepId, guard: 'new' });
    expect(d?.record).toEqual([{ kind: 'touch' }]);
  });

  it('every step passed: the task goes on as without a plan (cleaning)', async () => {
    const d = await decide(finalizing(), { ...atLogic, 'logic.after.1': done(9500), 'logic.after.2': done(9600) }, 10_000);
    expect(d?.move?.to).toBe('cleaning');
  });

  it('mends progress an earlier planner wrote in two steps: paused past its approve, or a failure recorded alone', async () => {
    const paused = await decide(finalizing('awaiting-approval'), { ...atApprove, 'data.after.1': done(3000) }, 4000);
    expect(paused).toMatchObject({ move: { from: ['awaiting-approval'], to: 'finalizing' }, then: 'plan' });
    const failed = { ...atApprove, 'data.after.1': { ...running(2000), status: 'failed' as const, reason: 'plan-step-failed' } };
    expect((await decide(finalizing(), failed, 4000))?.move?.to).toBe('failing');
  });

  it('a task not finalizing, or without a plan, decides nothing', async () => {
    expect(await decide(finalizing('cleaning'), {}, 0)).toBeNull();
    const plain = taskOf('failover', point, { state: 'finalizing' });
    expect(await decide(plain, {}, 0)).toBeNull();
  });
});
