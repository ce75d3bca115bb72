import { Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { AmqpBus, Messenger, SERVICE_QUEUES, router } from '@jss/bus';
import { WORK } from '@jss/contract';
import { LOGGER } from '@jss/infra';
import { Logger } from '@jss/observability';
import { stepRoute } from '@jss/recovery';
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
      stepRoute(deps, WORK.prepare, 'prepare', (w, tp) => this.prepare.execute(w, tp)),
      stepRoute(deps, WORK.finalize, 'finalize', (w, tp) => this.finalize.execute(w, tp)),
      stepRoute(deps, WORK.powerOff, 'power-off', (w, tp) => this.powerOff.execute(w, tp)),
    ]);
    await this.bus.consume(SERVICE_QUEUES.provisionerWork, handler, { prefetch: 4 });
  }
}
