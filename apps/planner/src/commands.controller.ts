import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { AmqpContext, UNKNOWN_COMMAND, UNREADABLE_COMMAND, MessageController } from '@jss/bus';
import { CommandData, REASONS, commandRoutingKey, RecoveryOperation } from '@jss/contract';
import { PROFILES } from '@jss/tasks';
import { CommandIntake } from './command-intake';
import { ControlUseCase } from './control.usecase';
import { DrillScheduleUseCase } from './drill-schedule.usecase';
import { ProtectionUseCase } from './protection.usecase';
import { RecoveryPlanUseCase } from './recovery-plan.usecase';
import { RecoveryUseCase } from './recovery.usecase';

const RECOVERY_KEYS = (Object.keys(PROFILES) as RecoveryOperation[]).map(commandRoutingKey);

/** jss.planner.commands: what users publish on jss.commands, one handler per kind of command. */
@MessageController()
export class CommandsController {
  constructor(
    private readonly intake: CommandIntake,
    private readonly recovery: RecoveryUseCase,
    private readonly control: ControlUseCase,
    private readonly drills: DrillScheduleUseCase,
    private readonly plans: RecoveryPlanUseCase,
    private readonly protection: ProtectionUseCase,
  ) {}

  /** Every operation that creates a task; a failover naming a continuous failover cuts it over instead. */
  @EventPattern(RECOVERY_KEYS)
  onRecovery(@Ctx() ctx: AmqpContext) {
    return this.intake.receive(ctx, (op, command, data, principal) => {
      const { taskId, domain, dryRun } = data as CommandData<'failover'>;
      if (op === 'failover' && taskId) return this.control.execute('cutover', command, { taskId, domain, dryRun }, principal);
      return this.recovery.execute(op as RecoveryOperation, command, data as never, principal);
    });
  }

  @EventPattern(commandRoutingKey('cancel'))
  onCancel(@Ctx() ctx: AmqpContext) {
    return this.intake.receive(ctx, (_op, command, data, principal) =>
      this.control.execute('cancel', command, data as CommandData<'cancel'>, principal),
    );
  }

  @EventPattern(commandRoutingKey('test-cleanup'))
  onTestCleanup(@Ctx() ctx: AmqpContext) {
    return this.intake.receive(ctx, (_op, command, data, principal) =>
      this.control.execute('test-cleanup', command, data as CommandData<'test-cleanup'>, principal),
    );
  }

  @EventPattern(commandRoutingKey('commit'))
  onCommit(@Ctx() ctx: AmqpContext) {
    return this.intake.receive(ctx, (_op, command, data, principal) =>
      this.control.execute('commit', command, data as CommandData<'commit'>, principal),
    );
  }

  @EventPattern(commandRoutingKey('rollback'))
  onRollback(@Ctx() ctx: AmqpContext) {
    return this.intake.receive(ctx, (_op, command, data, principal) =>
      this.control.execute('rollback', command, data as CommandData<'rollback'>, principal),
    );
  }

  @EventPattern(commandRoutingKey('drill-schedule'))
  onDrillSchedule(@Ctx() ctx: AmqpContext) {
    return this.intake.receive(ctx, (_op, command, data, principal) =>
      this.drills.schedule(command, data as CommandData<'drill-schedule'>, principal),
    );
  }

  @EventPattern(commandRoutingKey('drill-unschedule'))
  onDrillUnschedule(@Ctx() ctx: AmqpContext) {
    return this.intake.receive(ctx, (_op, command, data, principal) =>
      this.drills.unschedule(command, data as CommandData<'drill-unschedule'>, principal),
    );
  }

  @EventPattern(commandRoutingKey('plan-continue'))
  onPlanContinue(@Ctx() ctx: AmqpContext) {
    return this.intake.receive(ctx, (_op, command, data, principal) =>
      this.control.execute('plan-continue', command, data as CommandData<'plan-continue'>, principal),
    );
  }

  @EventPattern(commandRoutingKey('plan-apply'))
  onPlanApply(@Ctx() ctx: AmqpContext) {
    return this.intake.receive(ctx, (_op, command, data, principal) =>
      this.plans.apply(command, data as CommandData<'plan-apply'>, principal),
    );
  }

  @EventPattern(commandRoutingKey('plan-show'))
  onPlanShow(@Ctx() ctx: AmqpContext) {
    return this.intake.receive(ctx, (_op, command, data, principal) =>
      this.plans.show(command, data as CommandData<'plan-show'>, principal),
    );
  }

  @EventPattern(commandRoutingKey('reprotect'))
  onReprotect(@Ctx() ctx: AmqpContext) {
    return this.intake.receive(ctx, (_op, command, data, principal) =>
      this.protection.reprotect(command, data as CommandData<'reprotect'>, principal),
    );
  }

  @EventPattern(commandRoutingKey('domain-set'))
  onDomainSet(@Ctx() ctx: AmqpContext) {
    return this.intake.receive(ctx, (_op, command, data, principal) =>
      this.protection.setObjectives(command, data as CommandData<'domain-set'>, principal),
    );
  }

  /** A body that is no CloudEvent: answered with command.rejected (the id read from it, if any), then dead-lettered. */
  @EventPattern(UNREADABLE_COMMAND)
  onUnreadable(@Payload() p: { commandId: string; reason: string }) {
    return this.intake.reject(p.commandId, REASONS.invalidCommand, p.reason);
  }

  /** Any other routing key (the queue takes them all): refused by the intake as unsupported-operation. */
  @EventPattern(UNKNOWN_COMMAND)
  onUnknown(@Ctx() ctx: AmqpContext) {
    return this.intake.receive(ctx, async () => undefined);
  }
}
