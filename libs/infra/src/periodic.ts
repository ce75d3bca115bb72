import { OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Logger } from '@jss/observability';

/**
 * A background job of a service, every few seconds from start-up: one run at a time, errors
 * logged, and shutdown waits for the run in hand.
 */
export abstract class PeriodicJob implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer?: NodeJS.Timeout;
  private running: Promise<unknown> = Promise.resolve();
  private busy = false;

  protected constructor(
    private readonly name: string,
    private readonly log: Logger,
  ) {}

  protected abstract everyMs(): number;
  protected abstract run(): Promise<unknown>;
  /** also once at start-up, not only after the first interval */
  protected readonly runAtStart: boolean = false;

  onApplicationBootstrap() {
    if (this.runAtStart) this.tick();
    this.timer = setInterval(() => this.tick(), this.everyMs());
  }

  async onApplicationShutdown() {
    clearInterval(this.timer);
    await this.running;
  }

  private tick() {
    if (this.busy) return;
    this.busy = true;
    this.running = this.run()
      .catch((err) => this.log.error({ err: err instanceof Error ? err.message : String(err) }, `${this.name} failed`))
      .finally(() => (this.busy = false));
  }
}
