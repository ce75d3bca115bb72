import { ACTIVE_STATES, TaskStore } from '@jss/tasks';

/**
 * Whether a worker should still act for a task: a job that arrives after its task failed, was
 * cancelled or ended does nothing (the janitor is removing, or has removed, what it would touch).
 */
export async function taskIsActive(tasks: TaskStore, taskId: string): Promise<boolean> {
  const task = await tasks.fields(taskId, 'state');
  return task !== null && ACTIVE_STATES.includes(task.state);
}
