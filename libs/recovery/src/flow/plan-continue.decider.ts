import { Decider, taskIn } from './decision';
import { endDecision, runningPlanStep } from './plan-decisions';

/** plan-continue: the approve step the task is paused at is passed. */
export const decidePlanContinue: Decider<{ taskId: string }> = async (ctx, { taskId }) => {
  const task = await taskIn(ctx, taskId, ['awaiting-approval']);
  const found = task && (await runningPlanStep(ctx, task, (a) => a.kind === 'approve'));
  return found ? endDecision(task, found, { status: 'completed' }, []) : null;
};
