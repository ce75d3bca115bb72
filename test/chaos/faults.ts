import { RunningService, ServiceName } from '@jss/processes';
import { RabbitmqNode } from '../ops/support/rabbitmq-node';
import { setTimeout as sleep } from 'node:timers/promises';
import { PrivateRedis } from './support';

export interface Faults {
  durationMs: number;
  rabbit: RabbitmqNode;
  redis: PrivateRedis;
  /** the running services (a killed one leaves it, its restart joins it) */
  services: RunningService[];
  start(name: ServiceName): Promise<RunningService>;
  log(msg: string): void;
  pick<T>(xs: readonly T[]): T;
  between(lo: number, hi: number): number;
}

/**
 * The chaos run's faults for `durationMs`: every 3-6 s a random service is SIGKILLed (and started
 * again a moment later); once, a third of the way in, the broker is stopped for 3 s; once, two
 * thirds in, Redis is restarted. Every pause here is the fault's own timing.
 */
export async function runFaults(f: Faults): Promise<void> {
  const end = Date.now() + f.durationMs;
  let brokerRestarted = false;
  let redisRestarted = false;
  while (Date.now() < end) {
    await sleep(f.between(3000, 6000)); // timed on purpose: the next fault
    const elapsed = 1 - (end - Date.now()) / f.durationMs;
    if (!brokerRestarted && elapsed > 0.35) {
      brokerRestarted = true;
      f.log('broker: stop_app');
      f.rabbit.ctl('stop_app');
      await sleep(3000); // timed on purpose: the broker's outage
      f.rabbit.ctl('start_app');
      f.log('broker: start_app');
      continue;
    }
    if (!redisRestarted && elapsed > 0.65) {
      redisRestarted = true;
      f.log('redis: restart (SIGTERM, AOF kept)');
      await f.redis.stop();
      await sleep(1000); // timed on purpose: Redis's outage
      await f.redis.start();
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
}
