import { DeadLetter } from '@jss/bus';
import type { Task } from '../task';
import type { TaskStore } from '../task-store';

/** Task records read last, each kept until its task moves (every state change sets updatedAt). */
const CACHED = 16;

/**
 * Checks a message against the record of its task before a service acts on it: nothing on
 * jss.internal is trusted (a broker user that may write it could forge anything). The records of
 * large tasks are big and read by every job: one is re-read only once its task moved.
 */
export class TaskRecords {
  private readonly cache = new Map<string, Task>();
  private readonly reading = new Map<string, Promise<Task | null>>();

  constructor(private readonly tasks: TaskStore) {}

  /** Dead-letters the message with the check's reason; no task record: nothing to check (the step is skipped). */
  async verify<M extends { taskId: string }>(message: M, check: (task: Task, message: M) => string | null): Promise<void> {
    const task = await this.current(message.taskId);
    const reason = task && check(task, message);
    if (reason) throw new DeadLetter(`does not match task ${task.id}: ${reason}`);
  }

  private async current(taskId: string): Promise<Task | null> {
    const head = await this.tasks.fields(taskId, 'updatedAt');
    if (!head?.updatedAt) return null;
    const cached = this.cache.get(taskId);
    if (cached?.updatedAt === head.updatedAt) return cached;
    // the messages that arrive together after a move (a round of range jobs) share one read of the record
    const key = `${taskId}@${head.updatedAt}`;
    let reading = this.reading.get(key);
    if (!reading) {
      reading = this.read(taskId).finally(() => this.reading.delete(key));
      this.reading.set(key, reading);
    }
    return reading;
  }

  private async read(taskId: string): Promise<Task | null> {
    const task = await this.tasks.get(taskId);
    if (!task) return null;
    this.cache.delete(taskId);
    this.cache.set(taskId, task);
    if (this.cache.size > CACHED) this.cache.delete(this.cache.keys().next().value!);
    return task;
  }
}
