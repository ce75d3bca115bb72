import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { Failed, Finalized, PoweredOff, Prepared, REPLIES, RangeDone, RangeProgress, Released, Replicated } from '@jss/contract';
import { TaskFlow } from '@jss/recovery';

/** jss.planner.replies: the other services' replies, each moving its task's state machine on. */
@Controller()
export class RepliesController {
  constructor(private readonly flow: TaskFlow) {}

  @EventPattern(REPLIES.prepared.key)
  onPrepared(@Payload() msg: Prepared) {
    return this.flow.onPrepared(msg);
  }

  @EventPattern(REPLIES.rangeProgress.key)
  onRangeProgress(@Payload() msg: RangeProgress) {
    return this.flow.onRangeProgress(msg);
  }

  @EventPattern(REPLIES.rangeDone.key)
  onRangeDone(@Payload() msg: RangeDone) {
    return this.flow.onRangeDone(msg);
  }

  @EventPattern(REPLIES.finalized.key)
  onFinalized(@Payload() msg: Finalized) {
    return this.flow.onFinalized(msg);
  }

  @EventPattern(REPLIES.released.key)
  onReleased(@Payload() msg: Released) {
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
