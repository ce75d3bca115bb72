import { RangeDone } from '@jss/contract';
import { Decider } from './decision';
import { jobReportDecision } from './range-progress';

/** A range job is done: its figures for the report, its bytes, progress; then maybe the last one (check-rehydrated). */
export const decideRangeDone: Decider<RangeDone> = async (ctx, msg) => {
  const { taskId, jobId, bytesDone, bytesRead, blocksRead, blocksZero, blocksUnchanged, bytesWritten, startedAt, parts } = msg;
  // stats are kept per job id, which names its point: rounds of a continuous failover do not mix
  const stats = {
    ...(parts && { parts }),
    bytesRead,
    blocksRead,
    blocksZero,
    blocksUnchanged,
    bytesWritten,
    startedAt,
    doneAt: new Date().toISOString(),
  };
  const decision = await jobReportDecision(ctx, { taskId, jobId, bytesDone, finished: true, stats });
  return decision && { ...decision, then: 'check-rehydrated' };
};
