import { MessageController, OnReply } from '@jss/bus';
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

  @OnReply(REPLIES.prepared)
  async onPrepared(msg: Prepared) {
    await this.records.verify(msg, checkPrepared);
    return this.flow.onPrepared(msg);
  }

  @OnReply(REPLIES.rangeProgress)
  async onRangeProgress(msg: RangeProgress) {
    await this.records.verify(msg, checkRangeReply);
    return this.flow.onRangeProgress(msg);
  }

  @OnReply(REPLIES.rangeDone)
  async onRangeDone(msg: RangeDone) {
    await this.records.verify(msg, checkRangeReply);
    return this.flow.onRangeDone(msg);
  }

  @OnReply(REPLIES.finalized)
  async onFinalized(msg: Finalized) {
    await this.records.verify(msg, checkFinalized);
    return this.flow.onFinalized(msg);
  }

  /** Temporaries gone: what a completed task changes for its domain first (placement, protection, figures), then its end. */
  @OnReply(REPLIES.released)
  async onReleased(msg: Released) {
    await this.taskEnd.execute(msg.taskId);
    return this.flow.onReleased(msg);
  }

  @OnReply(REPLIES.failed)
  onFailed(msg: Failed) {
    return this.flow.onFailed(msg);
  }

  @OnReply(REPLIES.poweredOff)
  onPoweredOff(msg: PoweredOff) {
    return this.flow.onPoweredOff(msg);
  }

  @OnReply(REPLIES.replicated)
  onReplicated(msg: Replicated) {
    return this.flow.onReplicated(msg);
  }
}
