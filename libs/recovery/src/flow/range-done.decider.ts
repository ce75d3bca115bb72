import { RangeDone } from '@jss/contract';
import { Decider } from './decision';
import { progressDecision, recordBytes } from './range-progress';

/** A range job is done: its figures for the report, its bytes; then maybe the last one (check-rehydrated). */
export const decideRangeDone: Decider<RangeDone> = async (ctx, msg) => {
  const { taskId, jobId, bytesRead, blocksRead, blocksZero, blocksUnchanged, bytesWritten, startedAt, parts } = msg;
  if (!(await recordBytes(ctx.tasks, taskId, jobId, msg.bytesDone, true))) return null;
  // stats are kept per job id, which names its point: rounds of a continuous failover do not mix
  const doneAt = new Date().toISOString();
  const stats = { ...(parts && { parts }), bytesRead, blocksRead, blocksZero, blocksUnchanged, bytesWritten, startedAt, doneAt };
  await ctx.tasks.recordJobStats(taskId, jobId, stats);
  const progress = await progressDecision(ctx, taskId, await ctx.tasks.clearStalled(taskId));
  if (progress) return { ...progress, then: 'check-rehydrated' };
  const head = await ctx.tasks.fields(taskId, 'id', 'commandId', 'traceparent');
  return head && { task: head, send: [], then: 'check-rehydrated' };
};
