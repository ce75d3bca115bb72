import { Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { AmqpBus, MessageHeaders, Messenger, deadLetterQueue, deadLetterReason } from '@jss/bus';
import { CloudEvent, DEAD_LETTER_REASON_HEADER, EVENTS, OPERATIONS, REASONS, WORK, REPLIES } from '@jss/contract';
import { LOGGER } from '@jss/infra';
import { Logger } from '@jss/observability';
import { TaskFlow } from '@jss/recovery';
import { ACTIVE_STATES, OUTCOME_OF, TaskStore } from '@jss/tasks';

const COMMAND_TYPE = /^io\.jss\.recovery\.(.+)$/;
/** The messages that remove a task's temporaries: when one of them is poison, the task is ended without it. */
const RELEASE_TYPES = [WORK.release.key, REPLIES.released.key].map((key) => `io.jss.internal.${key}`);

/**
 * No task waits forever on a message that was dead-lettered: its task fails with the reason (the
 * janitor removes its temporaries), a command that never got a task is answered with
 * command.rejected; then the message is parked, marked with the reason (AmqpBus.consumeDeadLetters).
 */
@Injectable()
export class DeadLettersHandler implements OnApplicationBootstrap {
  constructor(
    private readonly bus: AmqpBus,
    private readonly tasks: TaskStore,
    private readonly flow: TaskFlow,
    private readonly messenger: Messenger,
    @Inject(LOGGER) private readonly log: Logger,
  ) {}

  async onApplicationBootstrap() {
    await this.bus.consumeDeadLetters((event, headers) => this.handle(event, headers));
  }

  /** Settles one dead letter; returns the reason to mark it with. Never throws: a dead letter is parked regardless. */
  async handle(event: CloudEvent | null, headers: MessageHeaders): Promise<string> {
    const reason = deadLetterReason(headers);
    // a service dead-lettered it on purpose (x-jss-reason): it cannot be read, or it does not match
    // the task it names — perhaps forged — so it must change nothing; only a message the consumers
    // kept failing on (the broker's delivery limit) settles its task. The watchdog ends a task left waiting.
    if (!event || headers[DEAD_LETTER_REASON_HEADER]) return reason;
    try {
      await this.settle(event, `${event.type} from ${deadLetterQueue(headers) ?? 'a service queue'} was dead-lettered: ${reason}`);
      return reason;
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      this.log.error({ eventId: event.id, err: why }, 'dead letter could not be settled');
      return `${reason}; settling its task failed: ${why}`;
    }
  }

  private async settle(event: CloudEvent, message: string): Promise<void> {
    const command = COMMAND_TYPE.exec(event.type);
    const data = (event.data ?? {}) as { taskId?: unknown };
    const taskId = command
      ? await this.tasks.taskOfCommand(event.id)
      : (event.subject ?? (typeof data.taskId === 'string' ? data.taskId : null));
    const task = taskId ? await this.tasks.get(taskId) : null;
    const log = this.log.child({ taskId: task?.id, commandId: task?.commandId ?? event.id });
    if (!task) {
      if (!command) return;
      log.warn({ message }, 'command dead-lettered; rejecting it');
      const op = command[1] as (typeof OPERATIONS)[number];
      await this.messenger.event(EVENTS.commandRejected, null, {
        commandId: event.id,
        reason: REASONS.deadLettered,
        message,
        ...(OPERATIONS.includes(op) && { operation: op }),
      });
      return;
    }
    if (ACTIVE_STATES.includes(task.state)) {
      log.warn({ state: task.state, message }, 'message dead-lettered; failing its task');
      await this.flow.fail(task, { reason: REASONS.deadLettered, message });
      return;
    }
    if (OUTCOME_OF[task.state] && RELEASE_TYPES.includes(event.type)) {
      // the release itself is poison: end the task now; the janitor's sweep removes what it left
      log.warn({ state: task.state, message }, 'release dead-lettered; ending the task, its temporaries go to the sweep');
      await this.flow.onReleased({ taskId: task.id });
    }
  }
}
