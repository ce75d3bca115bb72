import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { readdirSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';
import { Env } from '@jss/config';
import { ENV, LOGGER } from '@jss/infra';
import { Logger } from '@jss/observability';

/**
 * A scan is background work, a recovery is not: at start the scanner lowers its CPU priority by
 * SCANNER_NICE, so that on a shared host a scan gives way to a rehydration (bench/README.md, rows SC.f).
 * On Linux the nice value is per thread: every thread there now is lowered, and the threads started
 * later (the threadpool that hashes) inherit it from the main thread. In containers, CPU requests
 * and limits decide between pods; this only orders the processes of one host or container.
 */
@Injectable()
export class ScannerPriority implements OnModuleInit {
  constructor(
    @Inject(ENV) private readonly env: Env,
    @Inject(LOGGER) private readonly log: Logger,
  ) {}

  onModuleInit() {
    const by = this.env.SCANNER_NICE;
    if (by === 0) return;
    const threads = process.platform === 'linux' ? readdirSync('/proc/self/task').map(Number) : [0];
    for (const tid of threads) {
      try {
        setPriority(tid, Math.min(19, getPriority(tid) + by));
      } catch {
        // a thread that ended since the listing
      }
    }
    this.log.info({ nice: getPriority(0) }, 'scanner runs at a lower CPU priority');
  }
}
