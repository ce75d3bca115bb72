import { Inject, Injectable } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import { Env } from '@jss/config';
import { TIMING } from '@jss/contract';
import { ENV } from '@jss/infra';
import { TaskStore } from '@jss/tasks';

/** How often the gate looks at the tasks again (its answer is shared by the blocks in flight meanwhile). */
const LOOK_EVERY_MS = TIMING.scan.yieldLookMs;

/**
 * A recovery goes before a scan: while a task of the installation rehydrates, a scan waits before its
 * next block, up to SCANNER_YIELD_SECONDS in all per point (then it goes on: a verdict may not wait
 * for ever). Priority alone (SCANNER_NICE) does not keep a scan from slowing a failover on two cores
 * that are one core's hyperthreads, or that other processes keep busy: bench/README.md, rows SC.f.
 */
@Injectable()
export class RehydrationGate {
  private looked = 0;
  private answer: Promise<boolean> = Promise.resolve(false);

  constructor(
    private readonly tasks: TaskStore,
    @Inject(ENV) private readonly env: Env,
  ) {}

  /** The wait before each block of one point's scan, with that scan's own allowance. */
  turn(): () => Promise<void> {
    let left = this.env.SCANNER_YIELD_SECONDS * 1000;
    return async () => {
      while (left > 0 && (await this.rehydrating())) {
        await sleep(LOOK_EVERY_MS);
        left -= LOOK_EVERY_MS;
      }
    };
  }

  private rehydrating(): Promise<boolean> {
    if (Date.now() - this.looked >= LOOK_EVERY_MS) {
      this.looked = Date.now();
      this.answer = this.look().catch(() => false); // Redis away: the scan goes on (it needs no task)
    }
    return this.answer;
  }

  private async look(): Promise<boolean> {
    for (const id of await this.tasks.liveIds()) if ((await this.tasks.fields(id, 'state'))?.state === 'rehydrating') return true;
    return false;
  }
}
