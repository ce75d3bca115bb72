import { Controller, Get, Header, HttpCode, Inject, Res } from '@nestjs/common';
import type { Response } from 'express';
import { AmqpBus } from '@jss/bus';
import { registry } from '@jss/observability';
import { Redis } from '@jss/redis';
import { REDIS } from './tokens';

/** Liveness, readiness (broker and Redis reachable, topology declared) and Prometheus metrics. */
@Controller()
export class HealthController {
  constructor(
    @Inject(AmqpBus) private readonly bus: AmqpBus,
    @Inject(REDIS) private readonly redis: Redis,
  ) {}

  @Get('healthz')
  @HttpCode(200)
  healthz() {
    return { status: 'ok' };
  }

  @Get('readyz')
  readyz(@Res() res: Response) {
    const checks = { amqp: this.bus.isReady(), redis: this.redis.status === 'ready' };
    const ready = checks.amqp && checks.redis;
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'unready', checks });
  }

  @Get('metrics')
  @Header('Content-Type', registry.contentType)
  async metrics() {
    return registry.metrics();
  }
}
