import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Env } from '@jss/config';
import { ENV, LOGGER, Periodic } from '@jss/infra';
import { Logger } from '@jss/observability';
import { OrphanSweeper } from '@jss/recovery';

/** Runs the orphan sweep every JANITOR_SWEEP_SECONDS, and once at start: a crash is the usual reason to start. */
@Injectable()
export class SweepScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly periodic: Periodic;

  constructor(
    private readonly sweeper: OrphanSweeper,
    @Inject(ENV) private readonly env: Env,
    @Inject(LOGGER) log: Logger,
  ) {
    this.periodic = new Periodic('orphan sweep', log);
  }

  onApplicationBootstrap() {
    this.periodic.start(this.env.JANITOR_SWEEP_SECONDS * 1000, () => this.sweeper.sweep(), { runNow: true });
  }

  onApplicationShutdown() {
    return this.periodic.stop();
  }
}
