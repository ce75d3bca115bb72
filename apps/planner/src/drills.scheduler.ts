import { Inject, Injectable } from '@nestjs/common';
import { DrillRunner } from '@jss/drills';
import { LOGGER, PeriodicJob } from '@jss/infra';
import { Logger } from '@jss/observability';

/** Every second on every planner: claims the drills that are due and moves each running drill on. */
@Injectable()
export class DrillsScheduler extends PeriodicJob {
  protected override readonly runAtStart = true;

  constructor(
    private readonly runner: DrillRunner,
    @Inject(LOGGER) log: Logger,
  ) {
    super('drills', log);
  }

  protected everyMs() {
    return 1000;
  }

  protected run() {
    return this.runner.tick();
  }
}
