import { Logger } from '@jss/observability';

/** A background job every few seconds: one run at a time, errors logged, stop() waits for the run in hand. */
export class Periodic {
  private timer?: NodeJS.Timeout;
  private running: Promise<unknown> = Promise.resolve();
  private busy = false;

  constructor(
    private readonly name: string,
    private readonly log: Logger,
  ) {}

  start(everyMs: number, fn: () => Promise<unknown>, opts: { runNow?: boolean } = {}): void {
    const tick = () => {
      if (this.busy) return;
      this.busy = true;
      this.running = fn()
        .catch((err) => this.log.error({ err: err instanceof Error ? err.message : String(err) }, `${this.name} failed`))
        .finally(() => (this.busy = false));
    };
    if (opts.runNow) tick();
    this.timer = setInterval(tick, everyMs);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }
}
