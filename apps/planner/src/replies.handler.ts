import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { AmqpBus, SERVICE_QUEUES, route, router } from '@jss/bus';
import { REPLIES } from '@jss/contract';
import { TaskFlow } from '@jss/recovery';

/** Consumes the other services' replies and moves each task's state machine on. */
@Injectable()
export class RepliesHandler implements OnApplicationBootstrap {
  constructor(
    private readonly bus: AmqpBus,
    private readonly flow: TaskFlow,
  ) {}

  async onApplicationBootstrap() {
    const flow = this.flow;
    const handler = router([
      route(REPLIES.prepared, (m) => flow.onPrepared(m)),
      route(REPLIES.rangeProgress, (m) => flow.onRangeProgress(m)),
      route(REPLIES.rangeDone, (m, _e, raw) => flow.onRangeDone(m, raw.fields.redelivered)),
      route(REPLIES.finalized, (m) => flow.onFinalized(m)),
      route(REPLIES.released, (m) => flow.onReleased(m.taskId)),
      route(REPLIES.failed, (m) => flow.onFailed(m)),
      route(REPLIES.poweredOff, (m) => flow.onPoweredOff(m)),
      route(REPLIES.replicated, (m) => flow.awaitPoint(m.taskId)),
    ]);
    await this.bus.consume(SERVICE_QUEUES.plannerReplies, handler, { prefetch: 16 });
  }
}
