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
  const progress = await ctx.tasks.planProgress(taskId);
  const index = run.steps.findIndex((a) => !passed(progress[a.stepId]));
  const step = run.steps[index];
  const p = step && progress[step.stepId];
  // paused, and not at a running approve: go on (a step's end and the task's move are one script;
  // this mends progress an earlier planner wrote in two)
  if (task.state === 'awaiting-approval' && !(step?.kind === 'approve' && p?.status === 'running')) {
    return { task, move: { from: ['awaiting-approval'], to: 'finalizing' }, send: [], then: 'plan' };
  }
  if (!step) return upDecision(task, task.recovered ?? []);
  // a failed step recorded, the task's failure not made (the same: progress an earlier planner wrote)
  if (p?.status === 'failed') return failDecision(task, { reason: p.reason ?? REASONS.planStepFailed, message: p.message ?? '' });
  if (p) return runningDecision(task, run, index, { step, p, fresh: false }, progress, now, []);
  // reached: started by what the decision says (one replica's claim wins)
  const startedAt = new Date(now).toISOString();
  const expiresAt = step.kind === 'approve' ? new Date(now + step.timeoutSeconds * 1000).toISOString() : undefined;
  const started = event(EVENTS.planStepStarted, { ...stepOf(task, step), startedAt, ...(expiresAt && { expiresAt }) });
  return runningDecision(task, run, index, { step, p: { status: 'running', startedAt }, fresh: true }, progress, now, [started]);
};
