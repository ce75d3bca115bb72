import { Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import type { ConsumeMessage } from 'amqplib';
import { clip, principalOf } from '@jss/authz';
import { AmqpBus, Messenger, SERVICE_QUEUES } from '@jss/bus';
import {
  CloudEvent,
  EVENTS,
  OPERATIONS,
  REASONS,
  ReasonedError,
  commandDataSchemas,
  commandType,
  describeIssues,
  operationOf,
  readableCommandId,
} from '@jss/contract';
import { LOGGER } from '@jss/infra';
import { Logger, metrics } from '@jss/observability';
import { TaskFlow } from '@jss/recovery';
import { TaskStore } from '@jss/tasks';
import { ControlCommand } from './control.command';
import { RecoveryCommand } from './recovery.command';

/**
 * Consumes jss.commands: checks the envelope and the data, deduplicates by command id, and hands
 * the command to its use case. Anything refused becomes command.rejected with a reason code.
 */
@Injectable()
export class CommandsHandler implements OnApplicationBootstrap {
  constructor(
    private readonly bus: AmqpBus,
    private readonly messenger: Messenger,
    private readonly tasks: TaskStore,
    private readonly flow: TaskFlow,
    private readonly recovery: RecoveryCommand,
    private readonly control: ControlCommand,
    @Inject(LOGGER) private readonly log: Logger,
  ) {}

  async onApplicationBootstrap() {
    await this.bus.consume(SERVICE_QUEUES.plannerCommands, (e, m) => this.handle(e, m), {
      prefetch: 8,
      onUnreadable: (m, why) => this.reject(readableCommandId(m.content, m.properties.messageId), REASONS.invalidCommand, why),
    });
  }

  async handle(command: CloudEvent, msg: ConsumeMessage): Promise<void> {
    const log = this.log.child({ commandId: command.id });
    const op = operationOf(msg.fields.routingKey);
    try {
      if (!op) {
        throw new ReasonedError(
          REASONS.unsupportedOperation,
          `routing key "${clip(msg.fields.routingKey, 100)}" names no operation; use recovery.<${OPERATIONS.join('|')}>`,
        );
      }
      if (command.type !== commandType(op)) {
        throw new ReasonedError(
          REASONS.invalidCommand,
          `type "${clip(command.type, 100)}" does not match routing key ${msg.fields.routingKey} (expected ${commandType(op)})`,
        );
      }
      const principal = principalOf(msg.properties);
      const existing = await this.tasks.taskOfCommand(command.id);
      const task = existing ? await this.tasks.get(existing) : null;
      if (task?.requestedBy !== undefined && task.requestedBy !== principal) {
        throw new ReasonedError(REASONS.duplicateCommand, `command id ${command.id} was already used by another principal`);
      }
      if (task) {
        log.info({ taskId: task.id, redelivered: msg.fields.redelivered }, 'command id seen before; nothing new started');
        return await this.flow.start(task, msg.fields.redelivered);
      }
      const parsed = commandDataSchemas[op].safeParse(command.data);
      if (!parsed.success) throw new ReasonedError(REASONS.invalidCommand, `invalid ${op} command: ${describeIssues(parsed.error)}`);
      switch (op) {
        case 'failover': {
          const { taskId, domain, dryRun } = parsed.data as { taskId?: string; domain: string; dryRun?: boolean };
          if (taskId) return await this.control.execute('cutover', command, { taskId, domain, dryRun }, principal);
          return await this.recovery.execute(op, command, parsed.data as never, principal);
        }
        case 'planned-failover':
        case 'continuous-failover':
        case 'failback':
        case 'restore':
        case 'test-failover':
          return await this.recovery.execute(op, command, parsed.data as never, principal);
        case 'cancel':
        case 'test-cleanup':
          return await this.control.execute(op, command, parsed.data as never, principal);
      }
    } catch (err) {
      if (!(err instanceof ReasonedError)) throw err;
      await this.reject(command.id, err.reason, err.message, op);
    }
  }

  /** command.rejected; the message is bounded (it may echo the input), in the event and in the log. */
  private async reject(commandId: string, reason: string, message: string, operation?: string | null): Promise<void> {
    const bounded = clip(message, 400);
    this.log.info({ commandId, reason, message: bounded }, 'command rejected');
    metrics.commandsRejected.inc({ reason });
    await this.messenger.event(EVENTS.commandRejected, null, { commandId, reason, message: bounded, ...(operation && { operation }) });
  }
}
