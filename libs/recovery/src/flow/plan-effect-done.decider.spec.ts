import { planOf, planStepsOf } from '@jss/recovery-plans';
import { Task } from '@jss/tasks';
import { deciderContext, manifestOf, sentKeys, taskOf } from '@jss/testing';
import { decidePlanEffectDone } from './plan-effect-done.decider';

const point = manifestOf('shop', { db: 1 << 20 });
const after = [
  { approve: { timeoutSeconds: 60, onTimeout: 'fail' as const }, 'continue-on-failure': false },
  { webhook: { url: 'http://127.0.0.1:9/h', timeoutSeconds: 1, retries: 0 }, 'continue-on-failure': true },
  { check: { timeoutSeconds: 5 }, 'continue-on-failure': false },
];
const plan = planOf({ domain: 'shop', groups: [{ name: 'data', delaySeconds: 0, vms: ['db'], before: [], after }] });
const withPlan = (state: Task['state']): Task => {
  const task = taskOf('failover', point, { state });
  return { ...task, spec: { ...task.spec, recoveryPlan: { version: 1, steps: planStepsOf(plan, ['db']) } } };
};
const running = { status: 'running' as const, startedAt: new Date().toISOString() };

describe('decidePlanEffectDone', () => {
  const ran = (stepId: string, error: { reason: string; message: string } | null) => {
    const task = withPlan('finalizing');
    return decidePlanEffectDone(deciderContext([{ task, steps: { [stepId]: running } }]), { taskId: task.id, stepId, error });
  };
  const error = { reason: 'plan-step-failed', message: 'no 2xx' };

  it('passed: the step completes and the plan goes on', async () => {
    const d = await ran('data.after.3', null);
    expect(d).toMatchObject({ claim: { fields: { status: 'completed' } }, then: 'plan' });
    expect(d?.move).toBeUndefined();
  });

  it('failed with continue-on-failure: reported, the plan goes on', async () => {
    const d = await ran('data.after.2', error);
    expect(d).toMatchObject({ claim: { fields: { status: 'failed', continued: true } }, then: 'plan' });
    expect(sentKeys(d)).toEqual(['plan.step-failed']);
  });

  it('failed without: the task fails with the step named', async () => {
    const d = await ran('data.after.3', error);
    expect(d?.move).toMatchObject({ to: 'failing', patch: { error: { message: 'plan step data.after.3: no 2xx' } } });
    expect(sentKeys(d)).toEqual(['plan.step-failed', 'janitor.release']);
  });

  it('a step that does not run (ended by another replica) decides nothing', async () => {
    const task = withPlan('finalizing');
    const input = { taskId: task.id, stepId: 'data.after.2', error: null };
    expect(await decidePlanEffectDone(deciderContext([{ task }]), input)).toBeNull();
  });
});
