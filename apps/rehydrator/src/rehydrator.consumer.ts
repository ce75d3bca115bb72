import { Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { AmqpBus, Messenger, SERVICE_QUEUES, router } from '@jss/bus';
import { Env } from '@jss/config';
import { WORK } from '@jss/contract';
import { ENV, LOGGER } from '@jss/infra';
import { Logger } from '@jss/observability';
import { stepRoute } from '@jss/recovery';
import { TaskStore } from '@jss/tasks';
import { RangeHandler } from './range.handler';

/** Competing consumers: REHYDRATOR_JOBS range jobs at a time per process, so idle workers get the rest. */
@Injectable()
export class RehydratorConsumer implements OnApplicationBootstrap {
  constructor(
    private readonly bus: AmqpBus,
    private readonly tasks: TaskStore,
    private readonly messenger: Messenger,
    private readonly range: RangeHandler,
    @Inject(ENV) private readonly env: Env,
    @Inject(LOGGER) private readonly log: Logger,
  ) {}

  async onApplicationBootstrap() {
    const deps = { tasks: this.tasks, messenger: this.messenger, log: this.log };
    const handler = router([stepRoute(deps, WORK.range, 'rehydrate', (job, tp) => this.range.execute(job, tp))]);
    await this.bus.consume(SERVICE_QUEUES.rehydratorJobs, handler, { prefetch: this.env.REHYDRATOR_JOBS });
  }
}
