import { RangeProgress } from '@jss/contract';
import { Decider } from './decision';
import { progressDecision, recordBytes } from './range-progress';

/** A running range job's bytes: progress (throttled; at once when that ends a stall). */
export const decideRangeProgress: Decider<RangeProgress> = async (ctx, msg) => {
  if (!(await recordBytes(ctx.tasks, msg.taskId, msg.jobId, msg.bytesDone, false))) return null;
  return progressDecision(ctx, msg.taskId, await ctx.tasks.clearStalled(msg.taskId));
};
