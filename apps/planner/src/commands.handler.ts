import { Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import type { ConsumeMessage } from 'amqplib';
import { AmqpBus, Messenger, SERVICE_QUEUES } from '@jss/bus';
import {
  CloudEvent,
  EVENTS,
  OPERATIONS,
  Operation,
  REASONS,
  ReasonedError,
  commandDataSchemas,
  commandType,
  describeIssues,
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
    await this.bus.consume(SERVICE_QUEUES.plannerCommands, (e, m) => this.handle(e, m), { prefetch: 8 });
  }

  async handle(command: CloudEvent, msg: ConsumeMessage): Promise<void> {
    const log = this.log.child({ commandId: command.id });
    const op = msg.fields.routingKey.replace(/^recovery\./, '') as Operation;
    try {
      if (!OPERATIONS.includes(op)) {
        throw new ReasonedError(
          REASONS.unsupportedOperation,
          `routing key "${msg.fields.routingKey}" names no operation; use recovery.<${OPERATIONS.join('|')}>`,
        );
      }
      if (command.type !== commandType(op)) {
        throw new ReasonedError(
          REASONS.invalidCommand,
          `type "${command.type}" does not match routing key ${msg.fields.routingKey} (expected ${commandType(op)})`,
        );
      }
      const existing = await this.tasks.taskOfCommand(command.id);
      const task = existing ? await this.tasks.get(existing) : null;
      if (task) {
        log.info({ taskId: task.id, redelivered: msg.fields.redelivered }, 'command id seen before; nothing new started');
        return await this.flow.start(task, msg.fields.redelivered);
      }
      const parsed = commandDataSchemas[op].safeParse(command.data);
      if (!parsed.success) throw new ReasonedError(REASONS.invalidCommand, `invalid ${op} command: ${describeIssues(parsed.error)}`);
      switch (op) {
        case 'failover': {
          const { taskId, domain, dryRun } = parsed.data as { taskId?: string; domain: string; dryRun?: boolean };
          if (taskId) return await this.control.execute('cutover', command, { taskId, domain, dryRun });
          return await this.recovery.execute(op, command, parsed.data as never);
        }
        case 'planned-failover':
        case 'continuous-failover':
        case 'failback':
        case 'restore':
        case 'test-failover':
          return await this.recovery.execute(op, command, parsed.data as never);
        case 'cancel':
        case 'test-cleanup':
          return await this.control.execute(op, command, parsed.data as never);
      }
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
