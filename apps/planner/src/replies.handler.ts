import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { AmqpBus, SERVICE_QUEUES, route, router } from '@jss/bus';
import { REPLIES } from '@jss/contract';
import { TaskFlow, TaskRecords } from '@jss/recovery';
import { checkFinalized, checkPrepared, checkRangeReply } from '@jss/tasks';

/** Consumes the other services' replies and moves each task's state machine on. */
@Injectable()
export class RepliesHandler implements OnApplicationBootstrap {
  constructor(
    private readonly bus: AmqpBus,
    private readonly flow: TaskFlow,
    private readonly records: TaskRecords,
  ) {}

  async onApplicationBootstrap() {
    const { flow, records } = this;
    const handler = router([
      route(REPLIES.prepared, async (m) => (await records.verify(m, checkPrepared), flow.onPrepared(m))),
      route(REPLIES.rangeProgress, async (m) => (await records.verify(m, checkRangeReply), flow.onRangeProgress(m))),
      route(
        REPLIES.rangeDone,
        async (m, _e, raw) => (await records.verify(m, checkRangeReply), flow.onRangeDone(m, raw.fields.redelivered)),
      ),
      route(REPLIES.finalized, async (m) => (await records.verify(m, checkFinalized), flow.onFinalized(m))),
      route(REPLIES.released, (m) => flow.onReleased(m.taskId)),
      route(REPLIES.failed, (m) => flow.onFailed(m)),
      route(REPLIES.poweredOff, (m) => flow.onPoweredOff(m)),
      route(REPLIES.replicated, (m) => flow.awaitPoint(m.taskId)),
    ]);
    await this.bus.consume(SERVICE_QUEUES.plannerReplies, handler, { prefetch: 16 });
  }
}
