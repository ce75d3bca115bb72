import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { PowerState, VmFilter, VmInfo } from '../platform';
import { CLAIM_TTL_MS, parseVmMember, simKeys } from './keys';
import { LuaScript } from './lua-script';
import { bySiteThenName } from './order';
import { toVmInfo } from './vm-record';

// Removes a VM's record with its index entries, gives its leases back and its disks' bytes back to the
// datastore, all at once; only one of several concurrent deletes gets the record (the others nil).
// It claims the name until the disk files are gone, so that a new VM of that name cannot put its
// own files where the old ones are being deleted.
const remove = new LuaScript(`
local key = vmKey(ARGV[2], ARGV[3])
local json = redis.call('GET', key)
if not json then return false end
local vm = cjson.decode(json)
redis.call('DEL', key)
redis.call('SET', claimKey(vm.site, vm.name), ARGV[4], 'PX', ARGV[5])
redis.call('SREM', siteVmsKey(vm.site), vm.name)
if type(vm.owner) == 'table' then redis.call('SREM', ownedKey(vm.owner.taskId), member(vm.site, vm.name)) end
for _, lease in ipairs(vm.leases) do
  if redis.call('HEXISTS', K.networks, lease.network) == 1 then redis.call('SADD', poolKey(lease.network), lease.ip) end
end
local bytes = 0
for _, disk in ipairs(vm.disks) do bytes = bytes + disk.sizeBytes end
redis.call('HINCRBY', K.used, vm.datastore, int(-bytes))
return json
`);

const release = new LuaScript(`
if redis.call('GET', claimKey(ARGV[2], ARGV[3])) == ARGV[4] then redis.call('DEL', claimKey(ARGV[2], ARGV[3])) end
`);

const setPower = new LuaScript(`
local key = vmKey(ARGV[2], ARGV[3])
local json = redis.call('GET', key)
if not json then return 0 end
local vm = cjson.decode(json)
vm.powerState = ARGV[4]
redis.call('SET', key, cjson.encode(vm))
return 1
`);

/** Reads, deletes and powers the VM records (creating one is VmReservations' business). */
export class VmStore {
  constructor(private readonly redis: Redis) {}

  async get(site: string, name: string): Promise<VmInfo | null> {
    const json = await this.redis.get(simKeys.vm(site, name));
    return json === null ? null : toVmInfo(json);
  }

  /** Reads only the index the filter names: the task's VMs, or the VMs of one or every site. */
  async list(filter: VmFilter = {}): Promise<VmInfo[]> {
    const keys = filter.ownerTaskId === undefined ? await this.siteVmKeys(filter.site) : await this.ownedVmKeys(filter.ownerTaskId);
    const jsons = keys.length === 0 ? [] : await this.redis.mget(keys);
    return jsons
      .filter((json): json is string => json !== null)
      .map(toVmInfo)
      .filter((vm) => matches(vm, filter))
      .sort(bySiteThenName);
  }

  /**
   * Deletes the record, then runs `cleanup` (deleting the files) while no VM of that name can be
   * created. False when there was no such VM, or another caller deleted it first.
   */
  async remove(site: string, name: string, cleanup: (vm: VmInfo) => Promise<void>): Promise<boolean> {
    const token = randomUUID();
    const json = (await remove.run(this.redis, site, name, token, CLAIM_TTL_MS)) as string | null;
    if (json === null) return false;
    try {
      await cleanup(toVmInfo(json));
    } finally {
      await release.run(this.redis, site, name, token);
    }
    return true;
  }

  /** False when there is no such VM. */
  async setPower(site: string, name: string, state: PowerState): Promise<boolean> {
    return (await setPower.run(this.redis, site, name, state)) === 1;
  }

  private async siteVmKeys(site?: string): Promise<string[]> {
    const sites = site === undefined ? await this.redis.smembers(simKeys.sites) : [site];
    const names = await Promise.all(sites.map((s) => this.redis.smembers(simKeys.siteVms(s))));
    return sites.flatMap((s, i) => (names[i] ?? []).map((name) => simKeys.vm(s, name)));
  }

  private async ownedVmKeys(taskId: string): Promise<string[]> {
    const members = await this.redis.smembers(simKeys.owned(taskId));
    return members.map(parseVmMember).map(({ site, name }) => simKeys.vm(site, name));
  }
}

function matches(vm: VmInfo, filter: VmFilter): boolean {
  return (
    (filter.site === undefined || vm.site === filter.site) &&
    (filter.ownerTaskId === undefined || vm.owner?.taskId === filter.ownerTaskId) &&
    (filter.kind === undefined || vm.owner?.kind === filter.kind) &&
    (filter.owned === undefined || filter.owned === (vm.owner !== null))
  );
}
