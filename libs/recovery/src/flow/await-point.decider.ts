import { REASONS } from '@jss/contract';
import { Decider, taskIn } from './decision';
import { failDecision } from './end';
import { prepareWork } from './work-messages';

/**
 * Planned failover waiting for its final point (on reply.replicated, and from the task monitor):
 * the newest point taken after the power-off is failed over, with no data lost; none within the
 * timeout fails the task (and the source VMs go back on).
 */
export const decideAwaitPoint: Decider<{ taskId: string; now?: number }> = async (ctx, { taskId, now = Date.now() }) => {
  const task = await taskIn(ctx, taskId, ['awaiting-point']);
  if (!task?.poweredOffAt) return null;
  const newest = await ctx.replica.resolvePoint(task.domain);
  if (newest && newest.time > task.poweredOffAt) {
    const point = { id: newest.id, time: newest.time };
    const moved = { ...task, point };
    return { task, move: { from: ['awaiting-point'], to: 'provisioning', patch: { point } }, send: prepareWork(moved, newest) };
  }
  const { timeoutSeconds } = task.spec.planned!;
  if ((now - Date.parse(task.poweredOffAt)) / 1000 <= timeoutSeconds) return null;
  return failDecision(task, {
    reason: REASONS.pointTimeout,
    message: `no recovery point newer than the power-off of the source VMs (${task.poweredOffAt}) within ${timeoutSeconds}s`,
  });
};
