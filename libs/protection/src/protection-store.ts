import type Redis from 'ioredis';
import type { RecoverySample } from './forecast';

// Redis layout (under REDIS_PREFIX):
//   domain:<domain>        hash: objectives (rpoSeconds, rtoSeconds, objectivesBy, objectivesAt) and
//                          where it runs (runsAt, runsAtSince, runsAtTask)
//   protection:<domain>    hash: the schedule the replication side takes points on (site, everySeconds,
//                          since, by, cause, nextDue) and what it last did (lastPointId, lastPointAt,
//                          lastError, lastErrorAt)
//   protection:domains     set of domains with a schedule
//   stats:recoveries       list of the last RecoverySample JSONs, newest first (RTO forecasts)

/** Recoveries a forecast is made from: the most recent only (the installation changes). */
export const MAX_SAMPLES = 20;

export interface Objectives {
  rpoSeconds: number | null;
  rtoSeconds: number | null;
}

/** Where a domain's VMs run now, and since which task put them there. */
export interface Placement {
  site: string;
  since: string;
  taskId: string;
}

/** A protection schedule: points of the domain's VMs at `site`, every `everySeconds`. */
export interface ProtectionSchedule {
  domain: string;
  site: string;
  everySeconds: number;
  since: string;
  by: string;
  /** the command or task that asked for it: asking again for the same cause changes nothing */
  cause: string;
  nextDue: number;
  lastPointId?: string;
  lastPointAt?: string;
  lastError?: string;
  lastErrorAt?: string;
}

/**
 * Claims due time ARGV[1] of a schedule: the next due time moves to ARGV[2], once, across the
 * replicas of the replication side; 0 when another claimed it (or the schedule changed).
 */
const CLAIM = `
if redis.call('HGET', KEYS[1], 'nextDue') ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'nextDue', ARGV[2])
return 1`;

const num = (v: string | null | undefined) => (v === null || v === undefined || v === '' ? null : Number(v));

/** Domains' objectives, where they run, their protection schedules, and the recoveries measured. */
export class ProtectionStore {
  constructor(private readonly redis: Redis) {}

  async objectives(domain: string): Promise<Objectives> {
    const [rpo, rto] = await this.redis.hmget(`domain:${domain}`, 'rpoSeconds', 'rtoSeconds');
    return { rpoSeconds: num(rpo), rtoSeconds: num(rto) };
  }

  /** An objective left undefined stays; null removes it. Returns what is stored then. */
  async setObjectives(domain: string, change: Partial<Objectives>, by: string): Promise<Objectives> {
    const tx = this.redis.multi();
    for (const key of ['rpoSeconds', 'rtoSeconds'] as const) {
      if (change[key] === null) tx.hdel(`domain:${domain}`, key);
      else if (change[key] !== undefined) tx.hset(`domain:${domain}`, key, String(change[key]));
    }
    await tx.hset(`domain:${domain}`, 'objectivesBy', by, 'objectivesAt', new Date().toISOString()).exec();
    return this.objectives(domain);
  }

  async placement(domain: string): Promise<Placement | null> {
    const [site, since, taskId] = await this.redis.hmget(`domain:${domain}`, 'runsAt', 'runsAtSince', 'runsAtTask');
    return site && since && taskId ? { site, since, taskId } : null;
  }

  async setPlacement(domain: string, p: Placement): Promise<void> {
    await this.redis.hset(`domain:${domain}`, 'runsAt', p.site, 'runsAtSince', p.since, 'runsAtTask', p.taskId);
  }

  /** Stores (or replaces) a domain's schedule; false (nothing changed) when the same cause stored it already. */
  async schedule(s: Omit<ProtectionSchedule, 'nextDue'>, firstDue = Date.now()): Promise<boolean> {
    const key = `protection:${s.domain}`;
    if ((await this.redis.hget(key, 'cause')) === s.cause) return false;
    const { domain: _d, ...fields } = s;
    await this.redis
      .multi()
      .del(key)
      .hset(key, { ...fields, nextDue: String(firstDue) })
      .sadd('protection:domains', s.domain)
      .exec();
    return true;
  }

  /** Drops a domain's schedule (its VMs no longer run where it takes points). */
  async unschedule(domain: string): Promise<void> {
    await this.redis.multi().del(`protection:${domain}`).srem('protection:domains', domain).exec();
  }

  async get(domain: string): Promise<ProtectionSchedule | null> {
    const h = await this.redis.hgetall(`protection:${domain}`);
    if (!h.site) return null;
    return {
      domain,
      site: h.site,
      everySeconds: Number(h.everySeconds),
      since: h.since,
      by: h.by,
      cause: h.cause,
      nextDue: Number(h.nextDue),
      ...(h.lastPointId && { lastPointId: h.lastPointId, lastPointAt: h.lastPointAt }),
      ...(h.lastError && { lastError: h.lastError, lastErrorAt: h.lastErrorAt }),
    };
  }

  async all(): Promise<ProtectionSchedule[]> {
    const domains = (await this.redis.smembers('protection:domains')).sort();
    return (await Promise.all(domains.map((d) => this.get(d)))).filter((s): s is ProtectionSchedule => s !== null);
  }

  /** Claims one due time for this process: true for exactly one caller. */
  async claim(s: ProtectionSchedule, next: number): Promise<boolean> {
    return (await this.redis.eval(CLAIM, 1, `protection:${s.domain}`, String(s.nextDue), String(next))) === 1;
  }

  async recordPoint(domain: string, pointId: string, time: string): Promise<void> {
    await this.redis
      .multi()
      .hset(`protection:${domain}`, 'lastPointId', pointId, 'lastPointAt', time)
      .hdel(`protection:${domain}`, 'lastError', 'lastErrorAt')
      .exec();
  }

  async recordError(domain: string, message: string): Promise<void> {
    await this.redis.hset(`protection:${domain}`, 'lastError', message.slice(0, 500), 'lastErrorAt', new Date().toISOString());
  }

  /** Keeps the last MAX_SAMPLES; a task's figures once. */
  async addSample(sample: RecoverySample): Promise<void> {
    if ((await this.samples()).some((s) => s.taskId === sample.taskId)) return;
    await this.redis
      .multi()
      .lpush('stats:recoveries', JSON.stringify(sample))
      .ltrim('stats:recoveries', 0, MAX_SAMPLES - 1)
      .exec();
  }

  async samples(): Promise<RecoverySample[]> {
    return (await this.redis.lrange('stats:recoveries', 0, MAX_SAMPLES - 1)).map((s) => JSON.parse(s) as RecoverySample);
  }
}
