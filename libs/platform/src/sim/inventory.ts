import type { Redis } from 'ioredis';
import { confirmed } from '@jss/redis';
import { PlatformError, type ClusterInfo, type DatastoreInfo, type NetworkInfo } from '../platform';
import type { DatastoreDef, InventoryDef, NetworkDef } from './inventory-def';
import { simKeys } from './keys';
import { LuaScript } from './lua-script';
import { bySiteThenName } from './order';

type NetworkRecord = Omit<NetworkDef, 'pool'>;

// Writes a whole definition at once, so two processes seeding together give one inventory and a
// reader never sees half of it. ARGV[2] 'seed' makes it a no-op (0) once the seeded marker is set;
// a name that already exists refuses everything ({kind, name}).
const define = new LuaScript(`
local inv = cjson.decode(ARGV[3])
if ARGV[2] == 'seed' and redis.call('EXISTS', K.seeded) == 1 then return 0 end
for _, kind in ipairs({'clusters', 'datastores', 'networks'}) do
  for _, item in ipairs(inv[kind]) do
    if redis.call('HEXISTS', K[kind], item.name) == 1 then return {kind, item.name} end
  end
end
for _, site in ipairs(inv.sites) do redis.call('SADD', K.sites, site) end
for _, c in ipairs(inv.clusters) do redis.call('HSET', K.clusters, c.name, c.json) end
for _, d in ipairs(inv.datastores) do
  redis.call('HSET', K.datastores, d.name, d.json)
  redis.call('HSETNX', K.used, d.name, 0)
end
for _, n in ipairs(inv.networks) do
  redis.call('HSET', K.networks, n.name, n.json)
  for i = 1, #n.pool, 1000 do
    redis.call('SADD', poolKey(n.name), unpack(n.pool, i, math.min(i + 999, #n.pool)))
  end
end
if ARGV[2] == 'seed' then redis.call('SET', K.seeded, '1') end
return 1
`);

/** Sites, clusters, datastores and networks (with their DHCP pools) of the simulated vCenter. */
export class InventoryStore {
  constructor(private readonly redis: Redis) {}

  /** Writes `inv`; with 'seed', only if no seed ran before. Returns false when it was already seeded. */
  async define(inv: InventoryDef, mode: 'seed' | 'add'): Promise<boolean> {
    const encoded = {
      sites: inv.sites,
      clusters: inv.clusters.map((c) => ({ name: c.name, json: JSON.stringify(c) })),
      datastores: inv.datastores.map((d) => ({ name: d.name, json: JSON.stringify(d) })),
      networks: inv.networks.map(({ pool, ...record }) => ({ name: record.name, json: JSON.stringify(record), pool })),
    };
    const result = await define.run(this.redis, mode, JSON.stringify(encoded));
    if (Array.isArray(result)) {
      const [kind, name] = result as [string, string];
      throw new PlatformError('invalid-spec', `${kind.replace(/s$/, '')} ${name} already exists`);
    }
    return result === 1;
  }

  /** First address of a fresh /24 for a network added without one: 172.16.0.10, 172.16.1.10, ... */
  async nextSubnet(): Promise<string> {
    const n = (await confirmed(this.redis, 'simulated inventory', () => this.redis.incr(simKeys.subnets))) - 1;
    return `172.${16 + Math.floor(n / 256)}.${n % 256}.10`;
  }

  async sites(): Promise<string[]> {
    return (await this.redis.smembers(simKeys.sites)).sort();
  }

  async hasSite(site: string): Promise<boolean> {
    return (await this.redis.sismember(simKeys.sites, site)) === 1;
  }

  async clusters(site?: string): Promise<ClusterInfo[]> {
    return onSite(parseAll<ClusterInfo>(await this.redis.hvals(simKeys.clusters)), site);
  }

  async cluster(name: string): Promise<ClusterInfo | null> {
    return parse<ClusterInfo>(await this.redis.hget(simKeys.clusters, name));
  }

  async datastores(site?: string): Promise<DatastoreInfo[]> {
    const [defs, used] = await Promise.all([this.redis.hvals(simKeys.datastores), this.redis.hgetall(simKeys.used)]);
    return onSite(
      parseAll<DatastoreDef>(defs).map((d) => withFree(d, used[d.name] ?? null)),
      site,
    );
  }

  async datastore(name: string): Promise<DatastoreInfo | null> {
    const [def, used] = await Promise.all([this.redis.hget(simKeys.datastores, name), this.redis.hget(simKeys.used, name)]);
    const parsed = parse<DatastoreDef>(def);
    return parsed && withFree(parsed, used);
  }

  async networks(site?: string): Promise<NetworkInfo[]> {
    const records = onSite(parseAll<NetworkRecord>(await this.redis.hvals(simKeys.networks)), site);
    const free = await Promise.all(records.map((n) => this.redis.scard(simKeys.pool(n.name))));
    return records.map((n, i) => ({ ...n, freeAddresses: free[i] ?? 0 }));
  }

  async network(name: string): Promise<NetworkInfo | null> {
    const [record, free] = await Promise.all([this.redis.hget(simKeys.networks, name), this.redis.scard(simKeys.pool(name))]);
    const parsed = parse<NetworkRecord>(record);
    return parsed && { ...parsed, freeAddresses: free };
  }
}

function withFree(def: DatastoreDef, used: string | null): DatastoreInfo {
  return { ...def, freeBytes: def.capacityBytes - Number(used ?? 0) };
}

function parse<T>(json: string | null): T | null {
  return json === null ? null : (JSON.parse(json) as T);
}

function parseAll<T>(jsons: string[]): T[] {
  return jsons.map((json) => JSON.parse(json) as T);
}

/** Keeps the items of one site (all without `site`), sorted by site then name. */
function onSite<T extends { site: string; name: string }>(items: T[], site?: string): T[] {
  return items.filter((item) => site === undefined || item.site === site).sort(bySiteThenName);
}
