import type { Redis } from 'ioredis';
import { PlatformError } from '../platform';
import { simKeys } from './keys';
import { LuaScript } from './lua-script';

export const FAULT_OPS = ['createVm', 'deleteVm', 'powerOn', 'openDisk'] as const;
export type FaultOp = (typeof FAULT_OPS)[number];

export interface FaultOptions {
  /** how many calls fail (default 1) */
  times?: number;
  /** only calls whose VM name (disk path for openDisk) contains this */
  match?: string;
  message?: string;
  /** throw a plain Error (a transient failure, retried by redelivery) rather than a PlatformError: a handler that throws every time */
  transient?: boolean;
}

// Takes one use of the first fault that matches, atomically, so that N processes racing on a fault
// of `times` N fail exactly N calls. A used-up fault is blanked and removed.
const take = new LuaScript(`
local key = faultsKey(ARGV[2])
for i, json in ipairs(redis.call('LRANGE', key, 0, -1)) do
  local fault = cjson.decode(json)
  if fault.match == nil or string.find(ARGV[3], fault.match, 1, true) then
    if fault.times > 1 then
      fault.times = fault.times - 1
      redis.call('LSET', key, i - 1, cjson.encode(fault))
    else
      redis.call('LSET', key, i - 1, '')
      redis.call('LREM', key, 1, '')
    end
    return cjson.encode({fault.message, fault.transient == true})
  end
end
return false
`);

/** Failures injected through Redis, so a test process can make a service process's next call fail. */
export class FaultInjector {
  constructor(private readonly redis: Redis) {}

  async inject(
    op: FaultOp,
    { times = 1, match, message = `injected fault in ${op}`, transient = false }: FaultOptions = {},
  ): Promise<void> {
    await this.redis.rpush(simKeys.faults(op), JSON.stringify({ times, match, message, transient }));
  }

  /** Throws PlatformError('injected-fault') (or an Error, for a transient fault) when a fault for this call is pending. */
  async check(op: FaultOp, subject: string): Promise<void> {
    const taken = (await take.run(this.redis, op, subject)) as string | null;
    if (taken === null) return;
    const [message, transient] = JSON.parse(taken) as [string, boolean];
    throw transient ? new Error(message) : new PlatformError('injected-fault', message);
  }

  async clear(): Promise<void> {
    await this.redis.del(...FAULT_OPS.map((op) => simKeys.faults(op)));
  }
}
