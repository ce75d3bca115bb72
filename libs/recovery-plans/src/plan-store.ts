import { type Redis, confirmed } from '@jss/redis';
import type { RecoveryPlan } from './schema';

// Redis layout (under REDIS_PREFIX):
//   plan:<domain>            hash: version → the newest version number; v:<n> → JSON of version n
//                            (every version is kept: what a past task ran can be read again)
//   plan-cmd:<commandId>     `<version>:<1 if unchanged>`: what a plan-apply command stored or found
//                            (a redelivered command stores nothing new)

/** One version of a domain's plan: the document as written and what it means. */
export interface StoredPlan {
  domain: string;
  version: number;
  document: string;
  plan: RecoveryPlan;
  appliedBy: string;
  appliedAt: string;
  /** apply only: the document was the newest version's already, and that version stays */
  unchanged?: boolean;
}

/**
 * The next version number and its record in one step: a reader never sees a version without its
 * record. The newest version's document again (ARGV[2]) stores nothing: `{version, 1}`.
 */
const APPLY = `
local seen = redis.call('GET', KEYS[2])
if seen then
  local sep = string.find(seen, ':')
  return {tonumber(string.sub(seen, 1, sep - 1)), tonumber(string.sub(seen, sep + 1))}
end
local newest = tonumber(redis.call('HGET', KEYS[1], 'version') or '0')
if newest > 0 then
  local record = redis.call('HGET', KEYS[1], 'v:' .. newest)
  if record and cjson.decode(record).document == ARGV[2] then
    redis.call('SET', KEYS[2], newest .. ':1')
    return {newest, 1}
  end
end
local v = redis.call('HINCRBY', KEYS[1], 'version', 1)
redis.call('HSET', KEYS[1], 'v:' .. v, ARGV[1])
redis.call('SET', KEYS[2], v .. ':0')
return {v, 0}`;

/** Versioned recovery plans, one line of versions per domain. */
export class PlanStore {
  constructor(private readonly redis: Redis) {}

  /**
   * Stores a new version (the one a command id stored already, if it did), unless the document is the
   * newest version's: then that version stays, `unchanged`. Returns what is stored.
   */
  async apply(commandId: string, domain: string, document: string, plan: RecoveryPlan, appliedBy: string): Promise<StoredPlan> {
    const record = { domain, document, plan, appliedBy, appliedAt: new Date().toISOString() };
    const apply = () => this.redis.eval(APPLY, 2, `plan:${domain}`, `plan-cmd:${commandId}`, JSON.stringify(record), document);
    const [version, unchanged] = (await confirmed(this.redis, 'recovery plan', apply)) as [number, number];
    return { ...(await this.get(domain, version))!, unchanged: unchanged === 1 };
  }

  /** The newest version, or the one asked for; null if there is none. */
  async get(domain: string, version?: number): Promise<StoredPlan | null> {
    const n = version ?? (await this.versions(domain));
    const raw = n ? await this.redis.hget(`plan:${domain}`, `v:${n}`) : null;
    return raw ? { ...(JSON.parse(raw) as Omit<StoredPlan, 'version'>), version: n } : null;
  }

  /** How many versions the domain's plan has had (0: none). */
  async versions(domain: string): Promise<number> {
    return Number((await this.redis.hget(`plan:${domain}`, 'version')) ?? 0);
  }
}
