import { Inject, Injectable } from '@nestjs/common';
import { AmqpContext, Messenger } from '@jss/bus';
import { CloudEvent, EVENTS, OPERATIONS, Operation, REASONS, ReasonedError, commandDataSchemas, commandType, describeIssues } from '@jss/contract';
import { LOGGER } from '@jss/infra';
import { Logger, metrics } from '@jss/observability';
import { TaskFlow } from '@jss/recovery';
import { TaskStore } from '@jss/tasks';

/** A use case of a command whose envelope and data were checked. */
export type CommandRun = (op: Operation, command: CloudEvent, data: unknown) => Promise<void>;

/**
 * What every command goes through before its use case: the routing key must name an operation and
 * match the type, a command id seen before starts nothing new, the data must fit its schema.
 * Anything refused becomes command.rejected with a reason code; nothing else changes.
 */
@Injectable()
export class CommandIntake {
  constructor(
    private readonly messenger: Messenger,
    private readonly tasks: TaskStore,
    private readonly flow: TaskFlow,
    @Inject(LOGGER) private readonly log: Logger,
  ) {}

  async receive(ctx: AmqpContext, run: CommandRun): Promise<void> {
    const command = ctx.event;
    const log = this.log.child({ commandId: command.id });
    const op = ctx.routingKey.replace(/^recovery\./, '') as Operation;
    try {
      if (!OPERATIONS.includes(op)) {
        throw new ReasonedError(
          REASONS.unsupportedOperation,
          `routing key "${ctx.routingKey}" names no operation; use recovery.<${OPERATIONS.join('|')}>`,
        );
      }
      if (command.type !== commandType(op)) {
        throw new ReasonedError(
          REASONS.invalidCommand,
          `type "${command.type}" does not match routing key ${ctx.routingKey} (expected ${commandType(op)})`,
        );
      }
      const existing = await this.tasks.taskOfCommand(command.id);
      if (existing && (await this.tasks.fields(existing, 'state'))) {
        log.info({ taskId: existing }, 'command id seen before; nothing new started');
        // a crash between creating the task and starting it: start it now (a no-op once started)
        await this.flow.start(existing);
        return;
      }
      const parsed = commandDataSchemas[op].safeParse(command.data);
      if (!parsed.success) throw new ReasonedError(REASONS.invalidCommand, `invalid ${op} command: ${describeIssues(parsed.error)}`);
      await run(op, command, parsed.data);
    } catch (err) {
      if (!(err instanceof ReasonedError)) throw err;
      log.info({ reason: err.reason, message: err.message }, 'command rejected');
      metrics.commandsRejected.inc({ reason: err.reason });
      await this.messenger.event(EVENTS.commandRejected, null, {
        commandId: command.id,
        reason: err.reason,
        message: err.message,
        ...(OPERATIONS.includes(op) && { operation: op }),
      });
    }
  }
}
