import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { creationRequest } from './creation-request';
import { DatastoreFolders } from './datastore-folders';
import { InventoryStore } from './inventory';
import { CLAIM_TTL_MS } from './keys';
import { simFixture, vmSpec, type SimFixture } from '@jss/testing';
import { VmCreation } from './vm-creation';
import { VmReservations } from './vm-reservations';

/** A process that died between reserve and commit: its reservation is rolled back once it expires. */
describe('expired VM reservations', () => {
  let sim: SimFixture;
  let redis: Redis;

  beforeEach(async () => {
    sim = await simFixture();
    await sim.platform.seed();
    redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', {
      keyPrefix: (sim.platform as unknown as { redis: Redis }).redis.options.keyPrefix,
    });
  });
  afterEach(async () => {
    redis.disconnect();
    await sim.close();
  });

  it('gives back the lease, the bytes and the adopted disks, moved back, of a creation that never committed', async () => {
    const rvm = await sim.platform.createVm(vmSpec('jss-rvm-web', { disks: [{ sizeBytes: 1024 ** 2 }] }));
    const before = await sim.snapshot();
    // what a provisioner does before it dies: reserve (adopting the RVM's disk), then move the file
    const inventory = new InventoryStore(redis);
    const reservations = new VmReservations(redis);
    const folders = new DatastoreFolders(sim.dataDir);
    const spec = vmSpec('web', { disks: [{ adopt: rvm.disks[0].path }], owner: { taskId: 'task-1', kind: 'recovered', domain: 'shop' } });
    const request = await creationRequest(inventory, spec);
    expect(await reservations.reserve(request)).not.toBe('held');
    await folders.move(folders.file(rvm.disks[0].path), folders.file(request.files[0].path));
    expect(await sim.snapshot()).not.toEqual(before);

    const creation = new VmCreation(inventory, reservations, folders);
    await creation.expire(Date.now()); // not expired yet: left alone
    expect((await sim.platform.getVm('recovery', 'jss-rvm-web'))?.disks).toEqual([]);
    await creation.expire(Date.now() + CLAIM_TTL_MS + 1);
    expect(await sim.snapshot()).toEqual(before);
    expect(await readdir(join(sim.dataDir, 'datastores', 'recovery-ds', 'jss-rvm-web'))).toEqual(['disk-0.img']);
    // and the name is free again
    await expect(sim.platform.createVm(spec)).resolves.toMatchObject({ name: 'web' });
  });
});
