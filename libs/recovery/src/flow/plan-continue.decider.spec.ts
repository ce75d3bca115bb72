import { planOf, planStepsOf } from '@jss/recovery-plans';
import { Task } from '@jss/tasks';
import { deciderContext, manifestOf, sentKeys, taskOf } from '@jss/testing';
import { decidePlanContinue } from './plan-continue.decider';

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

describe('decidePlanContinue', () => {
  it('the approve the task is paused at ends (claim), the task goes on (move), the plan is looked at again', async () => {
    const task = withPlan('awaiting-approval');
    const d = await decidePlanContinue(deciderContext([{ task, steps: { 'data.after.1': running } }]), { taskId: task.id });
    expect(d).toMatchObject({
      claim: { kind: 'step', stepId: 'data.after.1', guard: 'running', fields: { status: 'completed' } },
      move: { from: ['awaiting-approval'], to: 'finalizing' },
      then: 'plan',
    });
    expect(sentKeys(d)).toEqual(['plan.step-completed']);
  });

  it('a task not paused, or paused at no running approve, decides nothing', async () => {
    const task = withPlan('finalizing');
    expect(await decidePlanContinue(deciderContext([{ task, steps: { 'data.after.1': running } }]), { taskId: task.id })).toBeNull();
    const paused = withPlan('awaiting-approval');
    expect(await decidePlanContinue(deciderContext([{ task: paused }]), { taskId: paused.id })).toBeNull();
  });
});
