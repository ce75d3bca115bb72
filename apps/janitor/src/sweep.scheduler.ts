import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Env } from '@jss/config';
import { ENV, LOGGER } from '@jss/infra';
import { Logger } from '@jss/observability';
import { OrphanSweeper } from '@jss/recovery';

/** Runs the orphan sweep every JANITOR_SWEEP_SECONDS (and once at start: a crash is the usual reason to start). */
@Injectable()
export class SweepScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer?: NodeJS.Timeout;
  private running?: Promise<unknown>;

  constructor(
    private readonly sweeper: OrphanSweeper,
    @Inject(ENV) private readonly env: Env,
    @Inject(LOGGER) private readonly log: Logger,
  ) {}

  onApplicationBootstrap() {
    const tick = () => {
      this.running = this.sweeper.sweep().catch((err) => this.log.error({ err: String(err) }, 'sweep failed'));
    };
    tick();
    this.timer = setInterval(tick, this.env.JANITOR_SWEEP_SECONDS * 1000);
  }

  async onApplicationShutdown() {
    clearInterval(this.timer);
    await this.running;
  }
}
