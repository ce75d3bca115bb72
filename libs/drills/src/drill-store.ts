import type Redis from 'ioredis';
import { domainOfDrill } from '@jss/contract';
import type { Drill, DrillSchedule } from './drill';

// Redis layout (under REDIS_PREFIX):
//   drill:schedules           set of domains with a schedule
//   drill:schedule:<domain>   hash: spec (DrillSchedule JSON), nextDue (ms since the epoch)
//   drill:<id>                the Drill (JSON); its creation is the claim of one due time (SET NX)
//   drills:active             set of drill ids not yet done
//   drill:last-passed         hash domain -> ms of the last passed drill
//   drill:last                hash domain -> LastDrill JSON of the last drill that ended (jssctl domains)
// A done drill's record expires after DONE_TTL_SECONDS; its evidence stays in the object store.

const DONE_TTL_SECONDS = 7 * 86_400;

/**
 * Claims the due time ARGV[1] of a schedule (ARGV[4]: its command id, so that one replaced meanwhile
 * is not claimed): the next due time moves to ARGV[2] and, unless ARGV[3] is empty (skipped), the
 * drill record is created, in one step. 0 when another planner claimed that due time first, or when
 * a drill of the domain already ran at that second (a schedule replaced onto the same due time):
 * the schedule moves on all the same.
 */
const CLAIM = `
if redis.call('HGET', KEYS[1], 'nextDue') ~= ARGV[1] then return 0 end
local spec = redis.call('HGET', KEYS[1], 'spec')
if not spec or cjson.decode(spec).commandId ~= ARGV[4] then return 0 end
redis.call('HSET', KEYS[1], 'nextDue', ARGV[2])
if ARGV[3] == '' then return 1 end
if not redis.call('SET', KEYS[2], ARGV[3], 'NX') then return 0 end
redis.call('SADD', KEYS[3], ARGV[5])
return 1`;

/** The last drill of a domain that ended, and its verdict. */
export interface LastDrill {
  id: string;
  outcome: 'passed' | 'failed';
  endedAt: string;
}

export class DrillStore {
  constructor(private readonly redis: Redis) {}

  /** Stores (or replaces) a domain's schedule, first due at `nextDue`. */
  async schedule(s: DrillSchedule, nextDue: number): Promise<void> {
    await this.redis
      .multi()
      .hset(`drill:schedule:${s.domain}`, 'spec', JSON.stringify(s), 'nextDue', String(nextDue))
      .sadd('drill:schedules', s.domain)
      .exec();
  }

  /** false when the domain had no schedule. A drill already claimed goes on to its end. */
  async unschedule(domain: string): Promise<boolean> {
    const [[, removed]] = (await this.redis.multi().del(`drill:schedule:${domain}`).srem('drill:schedules', domain).exec()) as [
      [null, number],
    ];
    return removed === 1;
  }

  async schedules(): Promise<Array<{ schedule: DrillSchedule; nextDue: number }>> {
    const domains = (await this.redis.smembers('drill:schedules')).sort();
    const all = await Promise.all(domains.map((d) => this.getSchedule(d)));
    return all.filter((s): s is { schedule: DrillSchedule; nextDue: number } => s !== null);
  }

  async getSchedule(domain: string): Promise<{ schedule: DrillSchedule; nextDue: number } | null> {
    const [spec, nextDue] = await this.redis.hmget(`drill:schedule:${domain}`, 'spec', 'nextDue');
    return spec && nextDue ? { schedule: JSON.parse(spec) as DrillSchedule, nextDue: Number(nextDue) } : null;
  }

  /**
   * Claims one due time of a schedule for this planner: true for exactly one caller across the
   * replicas. With a drill, its record is created in the same step; without, the due time is skipped.
   */
  async claim(s: DrillSchedule, due: number, next: number, drill: Drill | null): Promise<boolean> {
    const keys = [`drill:schedule:${s.domain}`, `drill:${drill?.id ?? ''}`, 'drills:active'];
    const args = [String(due), String(next), drill ? JSON.stringify(drill) : '', s.commandId, drill?.id ?? ''];
    return (await this.redis.eval(CLAIM, keys.length, ...keys, ...args)) === 1;
  }

  async get(id: string): Promise<Drill | null> {
    const raw = await this.redis.get(`drill:${id}`);
    return raw ? (JSON.parse(raw) as Drill) : null;
  }

  /** Only the holder of the drill's lock writes it. */
  async save(drill: Drill): Promise<void> {
    await this.redis.set(`drill:${drill.id}`, JSON.stringify(drill));
  }

  /** The drill is over (its report written): it leaves the active set and its record expires. */
  async finish(drill: Drill, passed: boolean): Promise<void> {
    const tx = this.redis.multi().set(`drill:${drill.id}`, JSON.stringify(drill), 'EX', DONE_TTL_SECONDS).srem('drills:active', drill.id);
    if (passed) tx.hset('drill:last-passed', drill.domain, String(Date.parse(drill.endedAt!)));
    const last: LastDrill = { id: drill.id, outcome: passed ? 'passed' : 'failed', endedAt: drill.endedAt! };
    tx.hset('drill:last', drill.domain, JSON.stringify(last));
    await tx.exec();
  }

  async activeIds(): Promise<string[]> {
    return this.redis.smembers('drills:active');
  }

  /** Whether a drill of the domain has not ended yet. */
  async running(domain: string): Promise<boolean> {
    return (await this.activeIds()).some((id) => domainOfDrill(id) === domain);
  }

  /** ms of each domain's last passed drill. */
  async lastPassed(): Promise<Map<string, number>> {
    return new Map(Object.entries(await this.redis.hgetall('drill:last-passed')).map(([d, ms]) => [d, Number(ms)]));
  }

  /** The last drill of the domain that ended, or null. */
  async last(domain: string): Promise<LastDrill | null> {
    const raw = await this.redis.hget('drill:last', domain);
    return raw ? (JSON.parse(raw) as LastDrill) : null;
  }
}
