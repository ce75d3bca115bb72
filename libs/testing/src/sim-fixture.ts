import { randomUUID } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { SimPlatform, type SimPlatformOptions } from '@jss/platform';

/** A simulated vCenter of its own for one spec file: a unique Redis prefix and a temporary data dir. */
export interface SimFixture {
  platform: SimPlatform;
  dataDir: string;
  /** the Redis key prefix of this inventory */
  keyPrefix: string;
  /** Another SimPlatform on the same inventory with its own Redis connection, like a second service replica. */
  replica(): SimPlatform;
  /** Everything a failed call must leave as it was: VMs, networks with free addresses, datastores, files. */
  snapshot(): Promise<unknown>;
  /** Deletes the inventory and the data dir, closes the connections. */
  close(): Promise<void>;
}

export async function simFixture(options?: SimPlatformOptions): Promise<SimFixture> {
  const keyPrefix = `test:sim:${randomUUID()}:`;
  const dataDir = await mkdtemp(join(tmpdir(), 'jss-sim-'));
  const clients: Redis[] = [];
  const replica = (): SimPlatform => {
    const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { keyPrefix });
    clients.push(redis);
    return new SimPlatform(redis, dataDir, options);
  };
  const platform = replica();
  return {
    platform,
    dataDir,
    keyPrefix,
    replica,
    async snapshot() {
      const [vms, networks, datastores, files] = await Promise.all([
        platform.listVms(),
        platform.listNetworks(),
        platform.listDatastores(),
        readdir(join(dataDir, 'datastores'), { recursive: true }).then((names) => names.sort()),
      ]);
      return { vms, networks, datastores, files };
    },
    async close() {
      await platform.reset();
      await Promise.all(clients.map((redis) => redis.quit()));
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
