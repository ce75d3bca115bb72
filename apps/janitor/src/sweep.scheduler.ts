import { Inject, Injectable } from '@nestjs/common';
import { Env } from '@jss/config';
import { ENV, LOGGER, PeriodicJob } from '@jss/infra';
import { Logger } from '@jss/observability';
import { OrphanSweeper } from '@jss/temporaries';

/** The orphan sweep every JANITOR_SWEEP_SECONDS, and once at start: a crash is the usual reason to start. */
@Injectable()
export class SweepScheduler extends PeriodicJob {
  protected override readonly runAtStart = true;

  constructor(
    private readonly sweeper: OrphanSweeper,
    @Inject(ENV) private readonly env: Env,
    @Inject(LOGGER) log: Logger,
  ) {
    super('orphan sweep', log);
  }

  protected everyMs() {
    return this.env.JANITOR_SWEEP_SECONDS * 1000;
  }

  protected run() {
    return this.sweeper.sweep();
  }
}
