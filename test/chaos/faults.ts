import { setTimeout as sleep } from 'node:timers/promises';
import { RunningService, ServiceName } from '@jss/processes';
import { Outage } from './control-plane';

export interface Faults {
  durationMs: number;
  /** the broker's and Redis's faults, each made once (control-plane.ts) */
  outages: Outage[];
  /** the running services (a killed one leaves it, its restart joins it) */
  services: RunningService[];
  start(name: ServiceName): Promise<RunningService>;
  log(msg: string): void;
  pick<T>(xs: readonly T[]): T;
  between(lo: number, hi: number): number;
}

/**
 * The chaos run's faults for `durationMs`: every 3-6 s a random service is SIGKILLed (and started
 * again a moment later), and each outage of the broker or Redis once its time has come. Every pause
 * here is the fault's own timing.
 */
export async function runFaults(f: Faults): Promise<void> {
  const end = Date.now() + f.durationMs;
  const due = [...f.outages].sort((a, b) => a.at - b.at);
  while (Date.now() < end) {
    await sleep(f.between(3000, 6000)); // timed on purpose: the next fault
    const elapsed = 1 - (end - Date.now()) / f.durationMs;
    if (due.length && elapsed > due[0].at) {
      await due.shift()!.run(f.log);
      continue;
    }
    const victim = f.pick(f.services.filter((s) => s.child.exitCode === null && s.child.signalCode === null));
    if (!victim) continue;
    f.log(`SIGKILL ${victim.name}`);
    victim.child.kill('SIGKILL');
    f.services.splice(f.services.indexOf(victim), 1);
    await sleep(f.between(300, 1500)); // timed on purpose: down for a moment before its restart
    await f.start(victim.name.replace(/-\d+$/, '') as ServiceName).catch((err: Error) => f.log(`restart failed: ${err.message}`));
  }
  for (const outage of due) await outage.run(f.log); // a run too short for them: made all the same
}
