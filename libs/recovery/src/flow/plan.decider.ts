import { EVENTS, REASONS } from '@jss/contract';
import { Decider, taskIn } from './decision';
import { failDecision } from './end';
import { event } from './outbound';
import { passed, runningDecision, stepOf } from './plan-decisions';
import { upDecision } from './vms-up';

/** The plan of a task in finalizing or awaiting-approval: start, wait for, or end its current step. */
export const decidePlan: Decider<{ taskId: string; now?: number }> = async (ctx, { taskId, now = Date.now() }) => {
  const task = await taskIn(ctx, taskId, ['finalizing', 'awaiting-approval']);
  const run = task?.spec.recoveryPlan;
  if (!task || !run) return null;
  const progress = await ctx.tasks.planSteps.all(taskId);
  const index = run.steps.findIndex((a) => !passed(progress[a.stepId]));
  const step = run.steps[index];
  const p = step && progress[step.stepId];
  // an approve step ended (or a crash came between an approve's record and the move): go on
  if (task.state === 'awaiting-approval' && !(step?.kind === 'approve' && p?.status === 'running')) {
    return { task, move: { from: ['awaiting-approval'], to: 'finalizing' }, send: [], then: 'plan' };
  }
  if (!step) return upDecision(task, task.recovered ?? []);
  // a failed step recorded, the task's failure not yet made (a crash between the two)
  if (p?.status === 'failed') return failDecision(task, { reason: p.reason ?? REASONS.planStepFailed, message: p.message ?? '' });
  if (p) return runningDecision(ctx, task, run, index, p, progress, now, []);
  const startedAt = new Date(now).toISOString();
  if (!(await ctx.tasks.planSteps.start(taskId, step.stepId, startedAt))) return null;
  const expiresAt = step.kind === 'approve' ? new Date(now + step.timeoutSeconds * 1000).toISOString() : undefined;
  const started = event(EVENTS.planStepStarted, { ...stepOf(task, step), startedAt, ...(expiresAt && { expiresAt }) });
  return runningDecision(ctx, task, run, index, { status: 'running', startedAt }, progress, now, [started]);
};
