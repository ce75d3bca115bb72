import { Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { AmqpBus, Messenger, SERVICE_QUEUES, route, router } from '@jss/bus';
import { WORK } from '@jss/contract';
import { LOGGER } from '@jss/infra';
import { Logger } from '@jss/observability';
import { runStep } from '@jss/recovery';
import { TaskStore } from '@jss/tasks';
import { FinalizeHandler } from './finalize.handler';
import { PowerOffHandler } from './power-off.handler';
import { PrepareHandler } from './prepare.handler';

@Injectable()
export class ProvisionerConsumer implements OnApplicationBootstrap {
  constructor(
    private readonly bus: AmqpBus,
    private readonly tasks: TaskStore,
    private readonly messenger: Messenger,
    private readonly prepare: PrepareHandler,
    private readonly finalize: FinalizeHandler,
    private readonly powerOff: PowerOffHandler,
    @Inject(LOGGER) private readonly log: Logger,
  ) {}

  async onApplicationBootstrap() {
    const deps = { tasks: this.tasks, messenger: this.messenger, log: this.log };
    const handler = router([
      route(WORK.prepare, (w, e) => runStep(deps, w, 'prepare', e.traceparent, () => this.prepare.execute(w, e.traceparent))),
      route(WORK.finalize, (w, e) => runStep(deps, w, 'finalize', e.traceparent, () => this.finalize.execute(w, e.traceparent))),
      route(WORK.powerOff, (w, e) => runStep(deps, w, 'power-off', e.traceparent, () => this.powerOff.execute(w, e.traceparent))),
    ]);
    await this.bus.consume(SERVICE_QUEUES.provisionerWork, handler, { prefetch: 4 });
  }
}
