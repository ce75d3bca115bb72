import { randomUUID } from 'node:crypto';
import { createRedis } from '@jss/redis';
import { Task } from './task';
import { TaskStore } from './task-store';

/** The record's invariants that name reservations rely on, against the real Redis. */
describe('TaskStore', () => {
  const redis = createRedis({ REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' }, `spec-taskstore-${randomUUID()}:`);
  const store = new TaskStore(redis);
  afterAll(() => redis.quit());

  const task = (id: string): Task => ({
    id,
    commandId: `cmd-${id}`,
    requestedBy: 'ops',
    operation: 'restore',
    domain: 'd',
    state: 'accepted',
    vms: [],
    point: { id: 'p', time: new Date().toISOString() },
    target: { site: 'recovery', cluster: 'c', datastore: 'ds', network: 'n' },
    spec: { temporaryNetwork: 'n', finals: [], bootOrder: [] },
    bytesTotal: 0,
    createdAt: new Date().toISOString(),
    updatedAt: new Date().toISOString(),
  });

  it('a created task is live at once, and a second create of the same id changes nothing', async () => {
    await store.create(task('t1'));
    await store.patch('t1', { bytesTotal: 7 });
    await store.create(task('t1'));
    expect((await store.get('t1'))?.bytesTotal).toBe(7);
    expect(await store.liveIds()).toContain('t1');
  });

  it('a move to an ended state leaves the live set and frees its names in the same step, even when re-sent', async () => {
    await store.create(task('t2'));
    expect(await store.names.reserve('t2', 'recovery', ['jss-rvm-d-a'])).toBeNull();
    expect(await store.names.reserve('t3', 'recovery', ['jss-rvm-d-a'])).toEqual({ name: 'jss-rvm-d-a', taskId: 't2' });
    await store.apply('t2', { move: { from: ['accepted'], to: 'cancelling' } });
    expect(await store.apply('t2', { move: { from: ['cancelling'], to: 'cancelled' } })).toBe(true);
    expect(await store.apply('t2', { move: { from: ['cancelling'], to: 'cancelled' } })).toBe(false);
    expect(await store.liveIds()).not.toContain('t2');
    expect(await store.names.holder('recovery', 'jss-rvm-d-a')).toBeNull();
    expect(await store.names.reserve('t3', 'recovery', ['jss-rvm-d-a'])).toBeNull();
  });
});
