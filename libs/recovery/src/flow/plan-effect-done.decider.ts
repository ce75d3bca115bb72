import { TaskError } from '@jss/tasks';
import { Decider, taskIn } from './decision';
import { PlanStepEnd, endDecision, runningPlanStep } from './plan-decisions';

/** A webhook or check ran: its step ends with what it found. */
export const decidePlanEffectDone: Decider<{ taskId: string; stepId: string; error: TaskError | null }> = async (ctx, input) => {
  const task = await taskIn(ctx, input.taskId, ['finalizing']);
  const found = task && (await runningPlanStep(ctx, task, (a) => a.stepId === input.stepId));
  if (!found) return null;
  const end: PlanStepEnd = input.error
    ? { status: 'failed', continued: found.step.continueOnFailure, ...input.error }
    : { status: 'completed' };
  return endDecision(task, found, end, []);
};
