import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { MAX_SAMPLES, ProtectionStore } from './protection-store';
import { defaultEverySeconds } from './schedule';

/** Schedules, objectives and recovery figures against the real Redis, under a prefix of this file's own. */
describe('ProtectionStore', () => {
  const keyPrefix = `test:protection:${randomUUID()}:`;
  const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { keyPrefix });
  const store = new ProtectionStore(redis);
  afterAll(async () => {
    const keys = await redis.keys(`${keyPrefix}*`);
    if (keys.length) await redis.del(...keys.map((k) => k.slice(keyPrefix.length)));
    await redis.quit();
  });

  const schedule = (cause: string, site = 'recovery') => ({
    domain: 'shop',
    site,
    everySeconds: 5,
    since: '2026-12-01T10:00:00.000Z',
    by: 'ops',
    cause,
  });

  it('stores a schedule once per cause, replaces it for another, and gives each due time to one claimant', async () => {
    expect(await store.schedule(schedule('cmd-1'), 1000)).toBe(true);
    expect(await store.schedule(schedule('cmd-1'), 9999)).toBe(false);
    const s = (await store.get('shop'))!;
    expect(s).toMatchObject({ site: 'recovery', everySeconds: 5, nextDue: 1000, cause: 'cmd-1' });
    const claims = await Promise.all([store.claim(s, 6000), store.claim(s, 6000), store.claim(s, 6000)]);
    expect(claims.filter(Boolean)).toHaveLength(1);
    await store.recordError('shop', 'VM db is not at site recovery');
    await store.recordPoint('shop', 'rp-20261201T100005000Z-abcd', '2026-12-01T10:00:05.000Z');
    expect(await store.get('shop')).toMatchObject({ nextDue: 6000, lastPointId: 'rp-20261201T100005000Z-abcd' });
    expect((await store.get('shop'))!.lastError).toBeUndefined();
    expect(await store.schedule(schedule('task-failback', 'primary'))).toBe(true);
    expect(await store.get('shop')).toMatchObject({ site: 'primary', cause: 'task-failback' });
    expect((await store.get('shop'))!.lastPointId).toBeUndefined();
    expect((await store.all()).map((x) => x.domain)).toEqual(['shop']);
    await store.unschedule('shop');
    expect([await store.get('shop'), await store.all()]).toEqual([null, []]);
  });

  it('keeps objectives (null removes one, undefined leaves it) and where a domain runs', async () => {
    expect(await store.setObjectives('crm', { rpoSeconds: 900, rtoSeconds: 1800 }, 'ops')).toEqual({ rpoSeconds: 900, rtoSeconds: 1800 });
    expect(await store.setObjectives('crm', { rpoSeconds: null }, 'ops')).toEqual({ rpoSeconds: null, rtoSeconds: 1800 });
    expect(await store.placement('crm')).toBeNull();
    await store.setPlacement('crm', { site: 'recovery', since: '2026-12-01T10:00:00.000Z', taskId: 'task-1' });
    expect(await store.placement('crm')).toEqual({ site: 'recovery', since: '2026-12-01T10:00:00.000Z', taskId: 'task-1' });
    // the objectives and the placement share the domain's hash: neither overwrites the other
    expect(await store.objectives('crm')).toEqual({ rpoSeconds: null, rtoSeconds: 1800 });
  });

  it('keeps the last recoveries, each task once', async () => {
    const sample = (n: number) => ({
      taskId: `task-${n}`,
      operation: 'failover',
      at: '',
      vms: 1,
      bytes: n,
      rehydrationSeconds: 1,
      rtoSeconds: 2,
      waitSeconds: 0,
    });
    for (let n = 0; n < MAX_SAMPLES + 5; n++) await store.addSample(sample(n));
    await store.addSample(sample(MAX_SAMPLES + 4));
    const kept = await store.samples();
    expect(kept.map((s) => s.taskId)).toEqual(Array.from({ length: MAX_SAMPLES }, (_, i) => `task-${MAX_SAMPLES + 4 - i}`));
  });

  it('takes a point three times per RPO objective, within 5 s and 15 minutes; every 5 minutes without one', () => {
    expect([defaultEverySeconds(null), defaultEverySeconds(15), defaultEverySeconds(900), defaultEverySeconds(86_400)]).toEqual([
      300, 5, 300, 900,
    ]);
  });
});
