import { EventPattern, Payload } from '@nestjs/microservices';
import { MessageController } from '@jss/bus';
import { Failed, Finalized, PoweredOff, Prepared, REPLIES, RangeDone, RangeProgress, Released, Replicated } from '@jss/contract';
import { TaskFlow } from '@jss/recovery';
import { TaskRecords, checkFinalized, checkPrepared, checkRangeReply } from '@jss/tasks';
import { TaskEndUseCase } from './task-end.usecase';

/**
 * jss.planner.replies: the other services' replies, each moving its task's state machine on. A reply
 * that names what the task did not send (another VM, an invented job) is dead-lettered, not acted on.
 */
@MessageController()
export class RepliesController {
  constructor(
    private readonly flow: TaskFlow,
    private readonly records: TaskRecords,
    private readonly taskEnd: TaskEndUseCase,
  ) {}

  @EventPattern(REPLIES.prepared.key)
  async onPrepared(@Payload() msg: Prepared) {
    await this.records.verify(msg, checkPrepared);
    return this.flow.onPrepared(msg);
  }

  @EventPattern(REPLIES.rangeProgress.key)
  async onRangeProgress(@Payload() msg: RangeProgress) {
    await this.records.verify(msg, checkRangeReply);
    return this.flow.onRangeProgress(msg);
  }

  @EventPattern(REPLIES.rangeDone.key)
  async onRangeDone(@Payload() msg: RangeDone) {
    await this.records.verify(msg, checkRangeReply);
    return this.flow.onRangeDone(msg);
  }

  @EventPattern(REPLIES.finalized.key)
  async onFinalized(@Payload() msg: Finalized) {
    await this.records.verify(msg, checkFinalized);
    return this.flow.onFinalized(msg);
  }

  /** Temporaries gone: what a completed task changes for its domain first (placement, protection, figures), then its end. */
  @EventPattern(REPLIES.released.key)
  async onReleased(@Payload() msg: Released) {
    await this.taskEnd.execute(msg.taskId);
    return this.flow.onReleased(msg);
  }

  @EventPattern(REPLIES.failed.key)
  onFailed(@Payload() msg: Failed) {
    return this.flow.onFailed(msg);
  }

  @EventPattern(REPLIES.poweredOff.key)
  onPoweredOff(@Payload() msg: PoweredOff) {
    return this.flow.onPoweredOff(msg);
  }

  @EventPattern(REPLIES.replicated.key)
  onReplicated(@Payload() msg: Replicated) {
    return this.flow.onReplicated(msg);
  }
}
