import { EVENTS } from '@jss/contract';
import { Task, TaskStore } from '@jss/tasks';
import { progressOf } from '../progress';
import { Decision, FlowContext } from './decision';
import { event } from './outbound';

// What the range deciders share: recording a job's bytes, and the task.progress event.

/** task.progress at most this often per task (and at least once a second while bytes move). */
const PROGRESS_INTERVAL_MS = 500;

/** Records a job's bytes; false for a task not rehydrating, or a report of another round (a late one). */
export async function recordBytes(tasks: TaskStore, taskId: string, jobId: string, bytes: number, finished: boolean): Promise<boolean> {
  const head = await tasks.fields(taskId, 'point', 'state');
  if (head?.state !== 'rehydrating' || !jobId.startsWith(`${head.point.id}/`)) return false;
  await tasks.recordJob(taskId, jobId, bytes, finished);
  return true;
}

export async function progressDecision(ctx: FlowContext, taskId: string, force: boolean): Promise<Decision | null> {
  if (!force && !(await ctx.tasks.throttle(taskId, 'progress', PROGRESS_INTERVAL_MS))) return null;
  // one read gives the progress figures and the task the decision names
  const task = await ctx.tasks.fields(taskId, 'id', 'commandId', 'traceparent', 'jobs', 'rehydratingAt');
  return task && { task, send: await progressEvent(ctx, task) };
}

export async function progressEvent(ctx: FlowContext, task: Pick<Task, 'id' | 'commandId' | 'jobs' | 'rehydratingAt'>) {
  if (!task.jobs || !task.rehydratingAt) return [];
  const figures = progressOf(task.jobs, await ctx.tasks.jobBytes(task.id), task.rehydratingAt);
  return [event(EVENTS.taskProgress, { taskId: task.id, commandId: task.commandId, ...figures })];
}
