import { Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { AmqpBus, Messenger, SERVICE_QUEUES, router } from '@jss/bus';
import { REPLIES, WORK } from '@jss/contract';
import { LOGGER } from '@jss/infra';
import { Logger } from '@jss/observability';
import { Protection, TaskRecords, stepRoute } from '@jss/recovery';
import { TaskStore, checkReplicate } from '@jss/tasks';

/** replicate.request: a recovery point of the domain's VMs at a site, taken now (planned failover's final point). */
@Injectable()
export class ReplicateHandler implements OnApplicationBootstrap {
  constructor(
    private readonly bus: AmqpBus,
    private readonly tasks: TaskStore,
    private readonly records: TaskRecords,
    private readonly messenger: Messenger,
    private readonly protection: Protection,
    @Inject(LOGGER) private readonly log: Logger,
  ) {}

  async onApplicationBootstrap() {
    const deps = { tasks: this.tasks, messenger: this.messenger, log: this.log };
    const handler = router([
      stepRoute(deps, WORK.replicate, 'replicate', async (w, traceparent) => {
        await this.records.verify(w, checkReplicate);
        const point = await this.protection.replicate(w.domain, w.site);
        const reply = { taskId: w.taskId, commandId: w.commandId, pointId: point.id, time: point.time };
        await this.messenger.send(REPLIES.replicated, reply, traceparent);
      }),
    ]);
    await this.bus.consume(SERVICE_QUEUES.replicatorWork, handler, { prefetch: 1 });
  }
}
