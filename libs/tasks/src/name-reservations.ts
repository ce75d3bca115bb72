import type Redis from 'ioredis';
import { confirmed } from '@jss/redis';

// Redis layout (under REDIS_PREFIX):
//   name:<site>:<vm name>   "<task id>|<reserved at, ms>": the task that will create (or replace) that VM
//   names:<task id>         set of the name:… keys the task holds (released together)

/** A reservation of a task not created yet (the planner died in between) is free again after this. */
export const PENDING_MS = 60_000;

/**
 * Takes every name for the task, or none. A name is busy when another task holds it and that task
 * is live, or has not been created yet and reserved it less than PENDING_MS ago; a holder that
 * ended (or never came to be) lost its hold. Returns 0, or {index of the busy name, its holder}.
 */
const RESERVE = `
local prefix, me, now, pending = ARGV[1], ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4])
for i = 2, #KEYS do
  local held = redis.call('GET', KEYS[i])
  if held then
    local sep = string.find(held, '|', 1, true)
    local holder, at = string.sub(held, 1, sep - 1), tonumber(string.sub(held, sep + 1))
    if holder ~= me then
      local live = redis.call('SISMEMBER', prefix .. 'tasks:live', holder) == 1
      local unborn = redis.call('EXISTS', prefix .. 'task:' .. holder) == 0 and now - at < pending
      if live or unborn then return {i - 1, holder} end
    end
  end
end
for i = 2, #KEYS do
  redis.call('SET', KEYS[i], me .. '|' .. ARGV[3])
  redis.call('SADD', KEYS[1], KEYS[i])
end
return 0`;

/** Lua that drops the holds listed in set `set` that are still task `me`'s (also inlined in ended moves). */
export const releaseNamesLua = (set: string, me: string) => `
for _, key in ipairs(redis.call('SMEMBERS', ${set})) do
  local held = redis.call('GET', key)
  if held and string.sub(held, 1, #${me} + 1) == ${me} .. '|' then redis.call('DEL', key) end
end
redis.call('DEL', ${set})`;

const RELEASE = `${releaseNamesLua('KEYS[1]', 'ARGV[1]')}
return 0`;

export interface NameConflict {
  name: string;
  taskId: string;
}

/** The VM names a task will create at its site, held from acceptance to its end. */
export class NameReservations {
  constructor(private readonly redis: Redis) {}

  /** All names for the task or none; null when reserved (again: a redelivered command keeps its own). */
  async reserve(taskId: string, site: string, names: string[]): Promise<NameConflict | null> {
    const unique = [...new Set(names)];
    const keys = [`names:${taskId}`, ...unique.map((n) => `name:${site}:${n}`)];
    const prefix = this.redis.options.keyPrefix ?? '';
    const reserve = () => this.redis.eval(RESERVE, keys.length, ...keys, prefix, taskId, Date.now(), PENDING_MS);
    const res = (await confirmed(this.redis, 'name reservation', reserve)) as 0 | [number, string];
    return res === 0 ? null : { name: unique[res[0] - 1], taskId: res[1] };
  }

  async release(taskId: string): Promise<void> {
    await confirmed(this.redis, 'name release', () => this.redis.eval(RELEASE, 1, `names:${taskId}`, taskId));
  }

  /** Who holds a name (tests, listings). */
  async holder(site: string, name: string): Promise<string | null> {
    const held = await this.redis.get(`name:${site}:${name}`);
    return held === null ? null : held.slice(0, held.indexOf('|'));
  }
}
