import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Makes a local folder behave like a remote store on reads: every request waits `latencyMs` before
 * its first byte, and all requests of one store share a link of `mbps` MB/s (1 MB = 10^6 bytes).
 * The link is a virtual clock (a token bucket with no burst): a transfer starts when both its
 * latency has passed and the link is free, and occupies the link for bytes / rate.
 */
export class ReadThrottle {
  private linkFreeAt = 0;
  private readonly bytesPerMs: number;

  constructor(
    private readonly latencyMs: number,
    mbps: number,
  ) {
    if (!(latencyMs >= 0) || !(mbps >= 0)) throw new RangeError('latencyMs and mbps must be >= 0');
    this.bytesPerMs = mbps * 1000;
  }

  get active(): boolean {
    return this.latencyMs > 0 || this.bytesPerMs > 0;
  }

  /** Resolves when a read of `bytes` issued at `startedAt` (performance.now()) would have completed. */
  async complete(startedAt: number, bytes: number): Promise<void> {
    let doneAt = startedAt + this.latencyMs;
    if (this.bytesPerMs > 0) {
      doneAt = Math.max(doneAt, this.linkFreeAt) + bytes / this.bytesPerMs;
      this.linkFreeAt = doneAt;
    }
    // timers may fire up to a millisecond early on the loop's coarse clock: never return early
    for (let wait = doneAt - performance.now(); wait > 0; wait = doneAt - performance.now()) await sleep(Math.ceil(wait));
  }
}
