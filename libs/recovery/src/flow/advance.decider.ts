import { Decider, taskIn } from './decision';
import { finalizing, jobsOf, rangeWork } from './work-messages';

/**
 * Continuous failover in standby: apply the newest point as a delta when there is a newer one;
 * else, once a cut-over was asked for, create the recovered VMs. After every round, from the task
 * monitor, and on a cut-over command.
 */
export const decideAdvance: Decider<{ taskId: string }> = async (ctx, { taskId }) => {
  const task = await taskIn(ctx, taskId, ['standby']);
  if (!task?.layout) return null;
  const newest = await ctx.replica.resolvePoint(task.domain);
  if (newest && newest.time > task.point.time) {
    const jobs = jobsOf(newest, task.layout);
    const patch = {
      point: { id: newest.id, time: newest.time },
      basePoint: task.point,
      jobs,
      jobCount: jobs.length,
      rehydratingAt: new Date().toISOString(),
    };
    return {
      task,
      move: { from: ['standby'], to: 'rehydrating', patch, resetJobs: true },
      send: rangeWork(task, task.layout, newest.id, jobs, task.point.id),
      then: 'check-rehydrated',
    };
  }
  if (!task.cutover) return null;
  return { task, move: { from: ['standby'], to: 'finalizing' }, ...finalizing(task) };
};
