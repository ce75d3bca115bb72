import { z } from 'zod';
import { Inject, Injectable } from '@nestjs/common';
import { clip, principalOf } from '@jss/authz';
import { AmqpContext, Messenger } from '@jss/bus';
import {
  DRILL_ID_PREFIX,
  EVENTS,
  OPERATIONS,
  REASONS,
  ReasonedError,
  commandDataSchemas,
  commandType,
  describeIssues,
  operationOf,
} from '@jss/contract';
import { LOGGER } from '@jss/infra';
import { Logger, metrics } from '@jss/observability';
import { TaskFlow } from '@jss/recovery';
import { TaskStore } from '@jss/tasks';
import { CommandHandlers, dispatch } from './command';

/**
 * What every command goes through before its use case: the routing key must name an operation and
 * match the type, the id may not be in the drills' reserved space, the sender must be known (AMQP user_id), a command id seen before starts nothing
 * new (and is refused from another principal), the data must fit its schema. Anything refused
 * becomes command.rejected with a reason code and a bounded message; nothing else changes.
 */
@Injectable()
export class CommandIntake {
  constructor(
    private readonly messenger: Messenger,
    private readonly tasks: TaskStore,
    private readonly flow: TaskFlow,
    @Inject(LOGGER) private readonly log: Logger,
  ) {}

  /** Checks a command and hands it to its operation's handler; refusals become command.rejected. */
  async receive(ctx: AmqpContext, handlers: CommandHandlers): Promise<void> {
    const command = ctx.event;
    const log = this.log.child({ commandId: command.id });
    const op = operationOf(ctx.routingKey);
    try {
      if (!op) {
        throw new ReasonedError(
          REASONS.unsupportedOperation,
          `routing key "${clip(ctx.routingKey, 100)}" names no operation; use recovery.<${OPERATIONS.join('|')}>`,
        );
      }
      if (command.type !== commandType(op)) {
        throw new ReasonedError(
          REASONS.invalidCommand,
          `type "${clip(command.type, 100)}" does not match routing key ${ctx.routingKey} (expected ${commandType(op)})`,
        );
      }
      if (command.id.toLowerCase().startsWith(DRILL_ID_PREFIX)) {
        throw new ReasonedError(
          REASONS.invalidCommand,
          `command ids starting with "${DRILL_ID_PREFIX}" are reserved for scheduled drills; use another id (a UUID)`,
        );
      }
      const principal = principalOf(ctx.properties);
      const existing = await this.tasks.recordOfCommand(command.id);
      if (existing?.requestedBy !== undefined && existing.requestedBy !== principal) {
        throw new ReasonedError(REASONS.duplicateCommand, `command id ${clip(command.id, 100)} was already used by another principal`);
      }
      if (existing) {
        log.info({ taskId: existing.id }, 'command id seen before; nothing new started');
        // a crash between creating the task and starting it: start it now (a no-op once started)
        await this.flow.start(existing.id);
        return;
      }
      const parsed = commandDataSchemas[op].safeParse(command.data);
      if (!parsed.success) {
        // only bounds passed (a list or a text too long): the limit names itself in the message
        const tooLong = (i: z.core.$ZodIssue) => i.code === 'too_big' && (i.origin === 'array' || i.origin === 'string');
        const reason = parsed.error.issues.every(tooLong) ? REASONS.limitExceeded : REASONS.invalidCommand;
        throw new ReasonedError(reason, `invalid ${op} command: ${describeIssues(parsed.error)}`);
      }
      await dispatch(handlers, { op, event: command, data: parsed.data, principal });
    } catch (err) {
      if (!(err instanceof ReasonedError)) throw err;
      await this.reject(command.id, err.reason, err.message, op);
    }
  }

  /** command.rejected; the message is bounded (it may echo the input), in the event and in the log. */
  async reject(commandId: string, reason: string, message: string, operation?: string | null): Promise<void> {
    const bounded = clip(message, 400);
    this.log.info({ commandId, reason, message: bounded }, 'command rejected');
    metrics.commandsRejected.inc({ reason });
    await this.messenger.event(EVENTS.commandRejected, null, { commandId, reason, message: bounded, ...(operation && { operation }) });
  }
}
