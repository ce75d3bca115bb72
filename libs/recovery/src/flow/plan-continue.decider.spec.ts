import { planOf } from '@jss/recovery-plans';
import { Task } from '@jss/tasks';
import { deciderContext, manifestOf, sentKeys, plannedTaskOf } from '@jss/testing';
import { decidePlanContinue } from './plan-continue.decider';

const point = manifestOf('shop', { db: 1 << 20 });
/** data: db up, then an approve (data.after.1). */
const after = [{ approve: { timeoutSeconds: 60, onTimeout: 'fail' as const }, 'continue-on-failure': false }];
const plan = planOf({ domain: 'shop', groups: [{ name: 'data', delaySeconds: 0, vms: ['db'], before: [], after }] });
const withPlan = (state: Task['state']): Task => plannedTaskOf(point, plan, state);
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
