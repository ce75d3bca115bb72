import { EVENTS } from '@jss/contract';
import { Bookkeeping, Task } from '@jss/tasks';
import { progressOf } from '../progress';
import { Decision, FlowContext } from './decision';
import { event } from './outbound';

// What the range deciders share: a job's report recorded, and the task.progress event.

/** task.progress at most this often per task (and at least once a second while bytes move). */
const PROGRESS_INTERVAL_MS = 500;

/** A range job's report: its bytes (and, once done, its figures for the report). */
export interface JobReport {
  taskId: string;
  jobId: string;
  bytesDone: number;
  finished: boolean;
  stats?: Extract<Bookkeeping, { kind: 'job' }>['stats'];
}

/**
 * A job's report recorded, and task.progress with it (throttled; at once when it ends a stall).
 * Null for a task not rehydrating, or a report of another round (a late one): it counts for nothing.
 */
export async function jobReportDecision(ctx: FlowContext, r: JobReport): Promise<Decision | null> {
  const head = await ctx.tasks.fields(r.taskId, 'id', 'commandId', 'traceparent', 'point', 'state');
  if (head?.state !== 'rehydrating' || !r.jobId.startsWith(`${head.point.id}/`)) return null;
  const task = { id: head.id, commandId: head.commandId, traceparent: head.traceparent };
  const record: Bookkeeping[] = [{ kind: 'job', jobId: r.jobId, bytes: r.bytesDone, finished: r.finished, stats: r.stats }];
  const stalled = await ctx.tasks.isStalled(r.taskId);
  if (stalled) record.push({ kind: 'unstall' });
  // within the interval nothing goes out: the figures (the task's job list) are not even read
  if (!stalled && !(await ctx.tasks.throttleOpen(r.taskId, 'progress'))) return { task, record, send: [] };
  const figures = await ctx.tasks.fields(r.taskId, 'id', 'commandId', 'jobs', 'rehydratingAt');
  const bytes = await ctx.tasks.jobBytes(r.taskId);
  // the figures with this report in (the bookkeeping is made after the decision: a job's bytes never go down)
  bytes[r.jobId] = Math.max(bytes[r.jobId] ?? 0, r.bytesDone);
  return {
    task,
    record,
    send: figures ? progressEvent(figures, bytes) : [],
    ...(!stalled && { throttle: { what: 'progress', ms: PROGRESS_INTERVAL_MS } }),
  };
}

/** task.progress of a task from its jobs' bytes (none before its range jobs went out). */
export function progressEvent(task: Pick<Task, 'id' | 'commandId' | 'jobs' | 'rehydratingAt'>, jobBytes: Record<string, number>) {
  if (!task.jobs || !task.rehydratingAt) return [];
  const figures = progressOf(task.jobs, jobBytes, task.rehydratingAt);
  return [event(EVENTS.taskProgress, { taskId: task.id, commandId: task.commandId, ...figures })];
}
