import { EVENTS } from '@jss/contract';
import { profileOf } from '@jss/tasks';
import { Decider, taskIn } from './decision';
import { causeOf, event, secondsSince } from './outbound';
import { progressEvent } from './range-progress';
import { finalizing } from './work-messages';

/**
 * All ranges of the round done: finalize, or (continuous failover) stand by with the RVMs holding
 * the point, and look for a newer one at once.
 */
export const decideRehydrated: Decider<{ taskId: string }> = async (ctx, { taskId }) => {
  const head = await ctx.tasks.fields(taskId, 'state', 'jobCount');
  if (head?.state !== 'rehydrating' || head.jobCount === undefined) return null;
  if ((await ctx.tasks.doneCount(taskId)) < head.jobCount) return null;
  const task = await taskIn(ctx, taskId, ['rehydrating']);
  if (!task) return null;
  const progress = progressEvent(task, await ctx.tasks.jobBytes(task.id));
  if (!profileOf(task.operation).continuous) {
    const next = finalizing(task);
    return { task, move: { from: ['rehydrating'], to: 'finalizing' }, ...next, send: [...progress, ...next.send] };
  }
  const stats = await ctx.tasks.jobStats(task.id);
  const round = (task.jobs ?? []).map((j) => stats[j.jobId]).filter((x) => x !== undefined);
  const sum = (k: 'bytesRead' | 'blocksRead' | 'blocksUnchanged') => round.reduce((n, x) => n + x[k], 0);
  const { taskId: id, commandId } = causeOf(task);
  const synced = event(EVENTS.taskSynced, {
    taskId: id,
    commandId,
    recoveryPoint: task.point,
    lagSeconds: secondsSince(task.point.time),
    bytesRead: sum('bytesRead'),
    blocksRead: sum('blocksRead'),
    blocksUnchanged: sum('blocksUnchanged'),
  });
  return { task, move: { from: ['rehydrating'], to: 'standby' }, send: [...progress, synced], then: 'advance' };
};
