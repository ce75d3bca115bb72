import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { outlastOutage } from '@jss/bus';
import { loadEnv } from '@jss/config';
import { DomainLocks } from '@jss/locks';
import { createLogger, registry } from '@jss/observability';
import { Redis, UnconfirmedWriteError, confirmed, createRedis, isRedisOutage } from '@jss/redis';
import { RedisSentinelSet } from '@jss/testing';

// The one Redis factory with Sentinel (private instances on ports 7121-7123 and 7131-7133), and the
// confirmation of guarded writes by a replica (WAIT).

/**
 * What a service's consumer does with work Redis refused while away: the same work again until it is
 * back. Right after a promotion the sentinels may still be moving the replicas.
 */
const outlastingOutage = <T>(work: () => Promise<T>) => outlastOutage(work, { isOutage: isRedisOutage, budgetMs: 60_000 });

async function unconfirmedCount(): Promise<number> {
  const metric = await registry.getSingleMetric('jss_redis_unconfirmed_writes_total')!.get();
  return metric.values[0]?.value ?? 0;
}

describe('Redis with Sentinel', () => {
  let dir: string;
  let set: RedisSentinelSet;
  let redis: Redis;

  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'jss-sentinel-'));
    set = RedisSentinelSet.start(dir, 7121);
    redis = createRedis(loadEnv(set.env), 'sentinel-spec:', createLogger('test', 'silent'));
    redis.on('error', () => undefined); // while the sentinels still name the killed primary
  });

  afterAll(() => {
    set?.stop();
    redis?.disconnect();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a guarded write that no replica confirms throws, is counted, and lets nothing proceed', async () => {
    const lone = createRedis(
      { REDIS_URL: loadEnv({}).REDIS_URL, REDIS_MIN_REPLICA_ACKS: 1, REDIS_REPLICA_ACK_TIMEOUT_MS: 50 },
      `lone-${process.pid}:`,
      createLogger('test', 'silent'),
    );
    const before = await unconfirmedCount();
    let proceeded = false;
    try {
      await expect(confirmed(lone, 'test write', () => lone.set('k', '1')).then(() => (proceeded = true))).rejects.toThrow(
        UnconfirmedWriteError,
      );
      expect(proceeded).toBe(false);
      expect(await unconfirmedCount()).toBe(before + 1);
      await lone.del('k');
    } finally {
      await lone.quit();
    }
  });

  it('follows two promotions; confirmed writes and the fencing counter survive each', async () => {
    const locks = new DomainLocks(redis, createLogger('test', 'silent'));
    const fences: number[] = [];
    for (let round = 0; round < 2; round++) {
      await outlastingOutage(() => confirmed(redis, 'test write', () => redis.set(`written:${round}`, 'yes')));
      fences.push(await outlastingOutage(() => locks.withLock('rocva', 'shop', async (fence) => fence)));
      const killed = await set.killPrimary();
      // the client finds the promoted replica by itself: the writes are there, the counter goes on
      for (let r = 0; r <= round; r++) expect(await redis.get(`written:${r}`)).toBe('yes');
      fences.push(await outlastingOutage(() => locks.withLock('rocva', 'shop', async (fence) => fence)));
      await set.restartAsReplica(killed);
    }
    expect(fences).toEqual([...fences].sort((a, b) => a - b));
    expect(new Set(fences).size).toBe(fences.length);
  });

  it('with no replica left, what the primary refuses is told as an outage: a write, a script, a MULTI', async () => {
    const replicas = await set.killReplicas();
    try {
      const refusals = await Promise.all([
        redis.set('alone', '1').catch((err: unknown) => err),
        redis.eval("return redis.call('set', KEYS[1], '1')", 1, 'alone').catch((err: unknown) => err),
        redis
          .multi()
          .set('alone', '1')
          .incr('alone:n')
          .exec()
          .catch((err: unknown) => err),
      ]);
      expect(refusals.map((err) => (err as Error).message.split(' ')[0])).toEqual(['NOREPLICAS', 'NOREPLICAS', 'EXECABORT']);
      expect(refusals.map(isRedisOutage)).toEqual([true, true, true]);
    } finally {
      for (const node of replicas) await set.restartAsReplica(node);
    }
    expect(await outlastingOutage(() => redis.set('alone', '1'))).toBe('OK');
  });
});
