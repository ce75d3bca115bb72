import { Inject, Injectable } from '@nestjs/common';
import { Env } from '@jss/config';
import { ENV, LOGGER, PeriodicJob } from '@jss/infra';
import { Logger } from '@jss/observability';
import { TaskMonitor } from '@jss/recovery';

/** Checks the live tasks every few seconds: running gauge, stalls, test time limits, continuous failovers, planned failovers' points. */
@Injectable()
export class MonitorScheduler extends PeriodicJob {
  constructor(
    private readonly monitor: TaskMonitor,
    @Inject(ENV) private readonly env: Env,
    @Inject(LOGGER) log: Logger,
  ) {
    super('task monitor', log);
  }

  protected everyMs() {
    return Math.min(5000, (this.env.TASK_STALL_SECONDS * 1000) / 2);
  }

  protected run() {
    return this.monitor.check();
  }
}
