import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Env } from '@jss/config';
import { ENV, LOGGER, Periodic } from '@jss/infra';
import { Logger } from '@jss/observability';
import { TaskMonitor } from '@jss/recovery';

/** Checks the live tasks every few seconds (running gauge, stalls). */
@Injectable()
export class MonitorScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly periodic: Periodic;

  constructor(
    private readonly monitor: TaskMonitor,
    @Inject(ENV) private readonly env: Env,
    @Inject(LOGGER) log: Logger,
  ) {
    this.periodic = new Periodic('task monitor', log);
  }

  onApplicationBootstrap() {
    this.periodic.start(Math.min(5000, (this.env.TASK_STALL_SECONDS * 1000) / 2), () => this.monitor.check());
  }

  onApplicationShutdown() {
    return this.periodic.stop();
  }
}
