import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { drillId } from '@jss/contract';
import { Drill, DrillSchedule } from './drill';
import { DrillStore } from './drill-store';

/** The claim of a due time against the real Redis, several planners at once (each its own connection). */
describe('DrillStore claims', () => {
  const keyPrefix = `test:drills:${randomUUID()}:`;
  const clients: Redis[] = [];
  const planner = () => {
    const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { keyPrefix });
    clients.push(redis);
    return new DrillStore(redis);
  };
  afterAll(async () => {
    const keys = await clients[0].keys(`${keyPrefix}*`);
    if (keys.length) await clients[0].del(...keys.map((k) => k.slice(keyPrefix.length)));
    await Promise.all(clients.map((r) => r.quit()));
  });

  const schedule = (commandId: string): DrillSchedule => ({
    domain: 'shop',
    every: '20s',
    ttl: 60,
    rtoObjectiveSeconds: null,
    alertAfterSeconds: 3640,
    scheduledBy: 'qa',
    scheduledAt: '2026-12-01T10:00:00.000Z',
    commandId,
  });
  const drill = (s: DrillSchedule, due: number): Drill => ({
    id: drillId(s.domain, due),
    domain: s.domain,
    state: 'due',
    dueAt: new Date(due).toISOString(),
    schedule: s,
    startedAt: new Date(due).toISOString(),
  });
  const due = Date.parse('2026-12-01T10:00:20.000Z');

  it('one due time is claimed by exactly one of many planners, and the schedule moves on', async () => {
    const s = schedule('c1');
    const planners = Array.from({ length: 8 }, planner);
    await planners[0].schedule(s, due);
    const won = await Promise.all(planners.map((p) => p.claim(s, due, due + 20_000, drill(s, due))));
    expect(won.filter(Boolean)).toHaveLength(1);
    expect(await planners[1].activeIds()).toEqual([drillId('shop', due)]);
    expect((await planners[2].getSchedule('shop'))?.nextDue).toBe(due + 20_000);
    expect(await planners[3].running('shop')).toBe(true);
  });

  it('a schedule replaced meanwhile is not claimed under the old one; a due time that already ran moves the schedule on', async () => {
    const store = planner();
    const old = schedule('c1');
    const next = due + 20_000;
    await store.schedule(schedule('c2'), next);
    expect(await store.claim(old, next, next + 20_000, drill(old, next))).toBe(false);
    // the same second claimed before (the first test): not run again, but the schedule is not stuck on it
    const replaced = schedule('c2');
    await store.schedule(replaced, due);
    expect(await store.claim(replaced, due, next, drill(replaced, due))).toBe(false);
    expect((await store.getSchedule('shop'))?.nextDue).toBe(next);
  });

  it('a skipped due time (the last drill still running) only moves the schedule on', async () => {
    const store = planner();
    const s = schedule('c2');
    const next = due + 20_000;
    expect(await store.claim(s, next, next + 20_000, null)).toBe(true);
    expect((await store.getSchedule('shop'))?.nextDue).toBe(next + 20_000);
    expect(await store.activeIds()).toEqual([drillId('shop', due)]);
  });
});
