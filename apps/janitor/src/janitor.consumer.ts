import { Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { AmqpBus, SERVICE_QUEUES, route, router } from '@jss/bus';
import { WORK } from '@jss/contract';
import { ReleaseHandler } from './release.handler';

@Injectable()
export class JanitorConsumer implements OnApplicationBootstrap {
  constructor(
    private readonly bus: AmqpBus,
    @Inject(ReleaseHandler) private readonly release: ReleaseHandler,
  ) {}

  async onApplicationBootstrap() {
    const handler = router([route(WORK.release, (w, e) => this.release.execute(w, e.traceparent))]);
    await this.bus.consume(SERVICE_QUEUES.janitorWork, handler, { prefetch: 4 });
  }
}
