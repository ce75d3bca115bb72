import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { confirmed } from '@jss/redis';
import { LUA_KEYS, NS } from './keys';

/**
 * A Lua script of the simulator, run by its SHA (EVAL only when Redis has not cached it yet).
 * It gets no KEYS: ARGV[1] is the namespace and the script builds its keys (see keys.ts).
 */
export class LuaScript {
  private readonly source: string;
  private readonly sha: string;

  constructor(body: string) {
    this.source = LUA_KEYS + body;
    this.sha = createHash('sha1').update(this.source).digest('hex');
  }

  /** Runs the script; what it changed is confirmed by the replicas before it returns (see @jss/redis confirmed). */
  run(redis: Redis, ...args: (string | number)[]): Promise<unknown> {
    return confirmed(redis, 'simulated inventory', () => this.send(redis, args));
  }

  private async send(redis: Redis, args: (string | number)[]): Promise<unknown> {
    const namespace = (redis.options.keyPrefix ?? '') + NS;
    try {
      return await redis.evalsha(this.sha, 0, namespace, ...args);
    } catch (err) {
      if (!(err instanceof Error) || !err.message.startsWith('NOSCRIPT')) throw err;
      return redis.eval(this.source, 0, namespace, ...args);
    }
  }
}
