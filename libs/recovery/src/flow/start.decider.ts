import { EVENTS } from '@jss/contract';
import { metrics } from '@jss/observability';
import { profileOf } from '@jss/tasks';
import { Decider, taskIn } from './decision';
import { vanishedDecision } from './end';
import { event, idsOf } from './outbound';
import { powerOffWork, prepareWork } from './work-messages';

/** A new task: announce it, then quiesce the source (planned failover) or ask for the temporaries. */
export const decideStart: Decider<{ taskId: string }> = async (ctx, { taskId }) => {
  const task = await taskIn(ctx, taskId, ['accepted']);
  if (!task) return null;
  const accepted = event(EVENTS.taskAccepted, {
    ...idsOf(task),
    requestedBy: task.requestedBy,
    operation: task.operation,
    domain: task.domain,
    vms: task.vms,
    recoveryPoint: task.point,
  });
  const onMoved = () => metrics.tasksStarted.inc({ operation: task.operation });
  if (profileOf(task.operation).quiesceFirst) {
    return { task, move: { from: ['accepted'], to: 'quiescing' }, send: [accepted, powerOffWork(task)], onMoved };
  }
  const point = await ctx.point(task, task.point.id);
  if (!point) return vanishedDecision(task);
  return { task, move: { from: ['accepted'], to: 'provisioning' }, send: [accepted, ...prepareWork(task, point)], onMoved };
};
