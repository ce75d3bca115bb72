import { Mutex } from 'redis-semaphore';
import type Redis from 'ioredis';
import { confirmed } from '@jss/redis';
import { Logger, metrics } from '@jss/observability';

/**
 * A per-domain mutex in Redis (redis-semaphore: auto-refreshed while held, expires if its holder
 * dies, so a crashed process leaves no stale lock for longer than LOCK_TTL_MS). Each acquisition
 * also takes a fencing token (INCR), strictly increasing per domain: what the lock protects
 * records the token and refuses writes carrying an older one, in case a holder paused past expiry.
 */
const LOCK_TTL_MS = 30_000;
const ACQUIRE_TIMEOUT_MS = 120_000;

export class DomainLocks {
  constructor(
    private readonly redis: Redis,
    private readonly log: Logger,
    /** tests only (JSS_TEST_STOP_AT): the process stops itself the first time it holds this lock and its token */
    private stopWhenTaken?: string,
  ) {}

  async withLock<T>(name: string, domain: string, fn: (fence: number) => Promise<T>): Promise<T> {
    const mutex = this.mutex(name, domain);
    const started = performance.now();
    if (!(await mutex.tryAcquire())) {
      metrics.lockContention.inc({ lock: name });
      await mutex.acquire();
    }
    metrics.lockWait.observe({ lock: name }, (performance.now() - started) / 1000);
    return this.holding(mutex, name, domain, fn);
  }

  /** Runs fn only if the lock is free right now; undefined when another holder has it. */
  async tryWithLock<T>(name: string, domain: string, fn: (fence: number) => Promise<T>): Promise<T | undefined> {
    const mutex = this.mutex(name, domain);
    if (!(await mutex.tryAcquire())) return undefined;
    return this.holding(mutex, name, domain, fn);
  }

  private mutex(name: string, domain: string): Mutex {
    return new Mutex(this.redis, `lock:${name}:${domain}`, {
      lockTimeout: LOCK_TTL_MS,
      acquireTimeout: ACQUIRE_TIMEOUT_MS,
      refreshInterval: LOCK_TTL_MS / 3,
      onLockLost: (err) => this.log.error({ domain, lock: name, err: err.message }, 'lock lost while held'),
    });
  }

  private async holding<T>(mutex: Mutex, name: string, domain: string, fn: (fence: number) => Promise<T>): Promise<T> {
    try {
      // confirmed before fn runs: a token lost to a promotion would be handed out again
      const fence = await confirmed(this.redis, 'fencing token', () => this.redis.incr(`fence:${name}:${domain}`));
      if (this.stopWhenTaken === name) {
        this.stopWhenTaken = undefined;
        process.kill(process.pid, 'SIGSTOP');
      }
      return await fn(fence);
    } finally {
      await mutex.release();
    }
  }
}
