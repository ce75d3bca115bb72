import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { AmqpContext, UNKNOWN_COMMAND, UNREADABLE_COMMAND, MessageController } from '@jss/bus';
import { OPERATIONS, REASONS, commandRoutingKey } from '@jss/contract';
import { CommandHandlers } from './command';
import { CommandIntake } from './command-intake';
import { ControlUseCase } from './control.usecase';
import { DrillScheduleUseCase } from './drill-schedule.usecase';
import { ProtectionUseCase } from './protection.usecase';
import { RecoveryPlanUseCase } from './recovery-plan.usecase';
import { RecoveryUseCase } from './recovery.usecase';

/** jss.planner.commands: what users publish on jss.commands, each operation's command to its use case. */
@MessageController()
export class CommandsController {
  /** One handler per operation, its command typed by the operation (a new operation without one does not compile). */
  private readonly handlers: CommandHandlers;

  constructor(
    private readonly intake: CommandIntake,
    recovery: RecoveryUseCase,
    control: ControlUseCase,
    drills: DrillScheduleUseCase,
    plans: RecoveryPlanUseCase,
    protection: ProtectionUseCase,
  ) {
    this.handlers = {
      // a failover naming a continuous failover cuts it over instead
      failover: (c) => {
        const { taskId } = c.data;
        return taskId ? control.execute({ ...c, op: 'cutover', data: { ...c.data, taskId } }) : recovery.execute(c);
      },
      'planned-failover': (c) => recovery.execute(c),
      'continuous-failover': (c) => recovery.execute(c),
      failback: (c) => recovery.execute(c),
      restore: (c) => recovery.execute(c),
      'test-failover': (c) => recovery.execute(c),
      'test-cleanup': (c) => control.execute(c),
      cancel: (c) => control.execute(c),
      commit: (c) => control.execute(c),
      rollback: (c) => control.execute(c),
      'plan-continue': (c) => control.execute(c),
      'drill-schedule': (c) => drills.schedule(c),
      'drill-unschedule': (c) => drills.unschedule(c),
      'plan-apply': (c) => plans.apply(c),
      'plan-show': (c) => plans.show(c),
      reprotect: (c) => protection.reprotect(c),
      'domain-set': (c) => protection.setObjectives(c),
    };
  }

  /** Every operation's routing key, and any other (the queue takes them all: refused by the intake as unsupported-operation). */
  @EventPattern([...OPERATIONS.map(commandRoutingKey), UNKNOWN_COMMAND])
  onCommand(@Ctx() ctx: AmqpContext) {
    return this.intake.receive(ctx, this.handlers);
  }

  /** A body that is no CloudEvent: answered with command.rejected (the id read from it, if any), then dead-lettered. */
  @EventPattern(UNREADABLE_COMMAND)
  onUnreadable(@Payload() p: { commandId: string; reason: string }) {
    return this.intake.reject(p.commandId, REASONS.invalidCommand, p.reason);
  }
}
