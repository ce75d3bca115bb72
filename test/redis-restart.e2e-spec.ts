import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Installation, MiB, diskHashes, freePort, isReady, waitUntil } from '@jss/testing';
import { PrivateRedis } from './chaos/support';

/** Redis with AOF restarted in the middle of a failover: the services reconnect and the task completes. */
describe('a Redis restart mid-task', () => {
  let inst: Installation;
  let redis: PrivateRedis;
  let dir: string;
  const shared = process.env.REDIS_URL;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'jss-redis-'));
    redis = new PrivateRedis(await freePort(), dir);
    await redis.start();
    process.env.REDIS_URL = redis.url; // the installation's own clients and its services
    inst = await Installation.start({ planner: 1, provisioner: 1, rehydrator: 1, janitor: 1 }, { JSS_STORE_MBPS: '6' });
    await inst.writer.writePoint('rr', [{ name: 'one', source: { sizeBytes: 32 * MiB, seed: 4 } }]);
  });
  afterAll(async () => {
    await inst?.stop();
    await redis?.stop();
    if (shared === undefined) delete process.env.REDIS_URL;
    else process.env.REDIS_URL = shared;
    rmSync(dir, { recursive: true, force: true });
  });

  it('completes the failover with the same bytes as a restore after the restart', async () => {
    const id = await inst.publish('failover', { domain: 'rr' });
    await inst.events.waitForBytes(id, 60_000);
    await redis.stop(); // SIGTERM: the AOF is fsynced, as on a restart by an operator
    // the outage is felt before Redis is back: the services' connections to it are down
    const services = inst.services;
    await waitUntil('every service sees Redis gone', async () => (await Promise.all(services.map(isReady))).every((r) => !r), 30_000);
    await redis.start();
    const end = await inst.events.waitFor(id, ['task.completed', 'task.failed'], 180_000);
    expect(end.key).toBe('task.completed');
    const check = await inst.run('restore', { domain: 'rr', vms: ['one'], rename: { one: 'one-check' } });
    expect(check.end.key).toBe('task.completed');
    expect(await diskHashes(inst.platform, (await inst.platform.getVm('recovery', 'one'))!)).toEqual(
      await diskHashes(inst.platform, (await inst.platform.getVm('recovery', 'one-check'))!),
    );
    expect((await inst.platform.listVms()).filter((v) => v.name.startsWith('jss-'))).toEqual([]);
  });
});
