import { randomUUID } from 'node:crypto';
import { createRedis } from '@jss/redis';
import { manifestOf, taskOf } from '@jss/testing';
import { Task } from './task';
import { TaskStore } from './task-store';

/** The one script of a decision's compare-and-set, and the bookkeeping, against the real Redis. */
describe('task changes (task-changes.ts)', () => {
  const prefix = `spec-changes-${randomUUID()}:`;
  const redis = createRedis({ REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' }, prefix);
  const store = new TaskStore(redis);
  afterAll(async () => {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length) await redis.unlink(...keys.map((k) => k.slice(prefix.length)));
    await redis.quit();
  });

  const point = manifestOf('d', {});
  const created = async (state: Task['state'] = 'finalizing'): Promise<string> => {
    const task = taskOf('failover', point, { state });
    await store.create(task);
    return task.id;
  };
  const started = { status: 'running' as const, startedAt: new Date().toISOString() };

  it('a step is started once; a re-sent start (a reply a Redis restart cut off) writes nothing and says so', async () => {
    const id = await created();
    const change = {
      claim: { kind: 'step' as const, stepId: 'g.before.1', guard: 'new' as const, fields: started },
      outbox: { slot: 'step:g.before.1:new', messages: [{ event: 'plan.step-started' }] },
    };
    expect(await store.apply(id, change)).toBe(true);
    expect(await store.apply(id, change)).toBe(false);
    expect(await store.planProgress(id)).toEqual({ 'g.before.1': started });
    expect((await store.staleOutboxes(Date.now() + 1)).filter((b) => b.taskId === id)).toEqual([
      { taskId: id, slot: 'step:g.before.1:new', messages: [{ event: 'plan.step-started' }] },
    ]);
  });

  it('a claim and a move are one: when the move does not hold, the step is not ended either', async () => {
    const id = await created('cancelling');
    await store.apply(id, { claim: { kind: 'step', stepId: 's', guard: 'new', fields: started } });
    const end = { kind: 'step' as const, stepId: 's', guard: 'running' as const, fields: { status: 'failed' as const } };
    expect(await store.apply(id, { claim: end, move: { from: ['finalizing'], to: 'failing' } })).toBe(false);
    expect((await store.planProgress(id)).s.status).toBe('running');
    expect(await store.apply(id, { claim: end })).toBe(true);
    expect(await store.apply(id, { claim: end })).toBe(false); // ended: not running any more
    expect((await store.planProgress(id)).s).toEqual({ ...started, status: 'failed' });
    expect(await store.lastMoved(id)).not.toBeNull();
  });

  it('a power-on is marked sent once; a lease is held by one call until it expires', async () => {
    const id = await created();
    await store.apply(id, { claim: { kind: 'step', stepId: 'g.power-on', guard: 'new', fields: started } });
    const sent = { kind: 'step' as const, stepId: 'g.power-on', guard: 'unsent' as const, fields: { sentAt: new Date().toISOString() } };
    expect(await store.apply(id, { claim: sent })).toBe(true);
    expect(await store.apply(id, { claim: sent })).toBe(false);
    const lease = { kind: 'lease' as const, stepId: 'g.power-on', ms: 200 };
    expect(await store.apply(id, { claim: lease })).toBe(true);
    expect(await store.apply(id, { claim: lease })).toBe(false);
  });

  it('bookkeeping: a job’s bytes never go down, a done job ignores a late report, stats and stall flag', async () => {
    const id = await created('rehydrating');
    await redis.set(`task:${id}:stalled`, '1');
    await store.record(id, [{ kind: 'job', jobId: 'j1', bytes: 100, finished: false }, { kind: 'unstall' }]);
    await store.record(id, [{ kind: 'job', jobId: 'j1', bytes: 40, finished: false }]);
    expect(await store.jobBytes(id)).toEqual({ j1: 100 });
    expect(await store.isStalled(id)).toBe(false);
    const stats = { bytesRead: 1, blocksRead: 1, blocksZero: 0, blocksUnchanged: 0, startedAt: 'a', doneAt: 'b' };
    const done = { kind: 'job' as const, jobId: 'j1', bytes: 150, finished: true, stats };
    await store.record(id, [done, done]); // made twice: the same
    await store.record(id, [{ kind: 'job', jobId: 'j1', bytes: 999, finished: false }]);
    expect(await store.jobBytes(id)).toEqual({ j1: 150 });
    expect(await store.doneCount(id)).toBe(1);
    expect(await store.jobStats(id)).toEqual({ j1: stats });
  });
});
