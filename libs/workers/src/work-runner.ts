import { Inject, Injectable } from '@nestjs/common';
import { Messenger } from '@jss/bus';
import { REPLIES } from '@jss/contract';
import { LOGGER } from '@jss/infra';
import { Logger } from '@jss/observability';
import { TaskLiveness } from '@jss/tasks';
import { failureReason } from './failure-reason';

/**
 * Runs one piece of a task's work in a worker service (prepare, finalize, a range, ...): skipped when the task is no longer active (the
 * janitor is removing, or has removed, what it would touch); an expected failure is reported to the
 * planner as reply.failed (and the message acked); anything else is rethrown, so the message is
 * redelivered.
 */
@Injectable()
export class WorkRunner {
  constructor(
    private readonly tasks: TaskLiveness,
    private readonly messenger: Messenger,
    @Inject(LOGGER) private readonly log: Logger,
  ) {}

  async run(
    kind: string,
    work: { taskId: string; commandId: string },
    traceparent: string | undefined,
    fn: () => Promise<void>,
  ): Promise<void> {
    const log = this.log.child({ taskId: work.taskId, commandId: work.commandId, work: kind });
    if (!(await this.tasks.isActive(work.taskId))) {
      log.info('task no longer active; work skipped');
      return;
    }
    try {
      await fn();
    } catch (err) {
      const reason = failureReason(err);
      if (!reason) throw err;
      const message = err instanceof Error ? err.message : String(err);
      log.warn({ reason, message }, 'work failed');
      const reply = { taskId: work.taskId, commandId: work.commandId, work: kind, reason, message: message.slice(0, 2000) };
      await this.messenger.send(REPLIES.failed, reply, traceparent);
    }
  }
}
