import { EVENTS, RangeDone, RangeProgress } from '@jss/contract';
import { Task, TaskStore, profileOf } from '@jss/tasks';
import { progressOf } from '../progress';
import { Decision, FlowContext, Step, taskIn } from './decision';
import { causeOf, event, secondsSince } from './outbound';
import { finalizeWork } from './work-messages';

/** task.progress at most this often per task (and at least once a second while bytes move). */
const PROGRESS_INTERVAL_MS = 500;

/** A running range job's bytes: progress (throttled; at once when that ends a stall). */
export const rangeProgressStep: Step<RangeProgress> = async (ctx, msg) => {
  if (!(await recordBytes(ctx.tasks, msg.taskId, msg.jobId, msg.bytesDone, false))) return null;
  return progressDecision(ctx, msg.taskId, await ctx.tasks.clearStalled(msg.taskId));
};

/** A range job is done: its figures for the report, its bytes; then maybe the last one (check-rehydrated). */
export const rangeDoneStep: Step<RangeDone> = async (ctx, msg) => {
  const { taskId, jobId, bytesRead, blocksRead, blocksZero, blocksUnchanged, startedAt, parts } = msg;
  if (!(await recordBytes(ctx.tasks, taskId, jobId, msg.bytesDone, true))) return null;
  // stats are kept per job id, which names its point: rounds of a continuous failover do not mix
  const doneAt = new Date().toISOString();
  const stats = { ...(parts && { parts }), bytesRead, blocksRead, blocksZero, blocksUnchanged, startedAt, doneAt };
  await ctx.tasks.recordJobStats(taskId, jobId, stats);
  const progress = await progressDecision(ctx, taskId, await ctx.tasks.clearStalled(taskId));
  if (progress) return { ...progress, then: 'check-rehydrated' };
  const head = await ctx.tasks.fields(taskId, 'id', 'commandId', 'traceparent');
  return head && { task: head, send: [], then: 'check-rehydrated' };
};

/**
 * All ranges of the round done: finalize, or (continuous failover) stand by with the RVMs holding
 * the point, and look for a newer one at once.
 */
export const checkRehydratedStep: Step<{ taskId: string }> = async (ctx, { taskId }) => {
  const head = await ctx.tasks.fields(taskId, 'state', 'jobCount');
  if (head?.state !== 'rehydrating' || head.jobCount === undefined) return null;
  if ((await ctx.tasks.doneCount(taskId)) < head.jobCount) return null;
  const task = await taskIn(ctx, taskId, ['rehydrating']);
  if (!task) return null;
  const progress = await progressEvent(ctx, task);
  if (!profileOf(task.operation).continuous)
    return { task, move: { from: ['rehydrating'], to: 'finalizing' }, send: [...progress, finalizeWork(task)] };
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

/** Records a job's bytes; false for a task not rehydrating, or a report of another round (a late one). */
async function recordBytes(tasks: TaskStore, taskId: string, jobId: string, bytes: number, finished: boolean): Promise<boolean> {
  const head = await tasks.fields(taskId, 'point', 'state');
  if (head?.state !== 'rehydrating' || !jobId.startsWith(`${head.point.id}/`)) return false;
  await tasks.recordJob(taskId, jobId, bytes, finished);
  return true;
}

async function progressDecision(ctx: FlowContext, taskId: string, force: boolean): Promise<Decision | null> {
  if (!force && !(await ctx.tasks.throttle(taskId, 'progress', PROGRESS_INTERVAL_MS))) return null;
  // one read gives the progress figures and the task the decision names
  const task = await ctx.tasks.fields(taskId, 'id', 'commandId', 'traceparent', 'jobs', 'rehydratingAt');
  return task && { task, send: await progressEvent(ctx, task) };
}

async function progressEvent(ctx: FlowContext, task: Pick<Task, 'id' | 'commandId' | 'jobs' | 'rehydratingAt'>) {
  if (!task.jobs || !task.rehydratingAt) return [];
  const figures = progressOf(task.jobs, await ctx.tasks.jobBytes(task.id), task.rehydratingAt);
  return [event(EVENTS.taskProgress, { taskId: task.id, commandId: task.commandId, ...figures })];
}
