import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { PlatformError, type VmDisk } from '../platform';
import { CLAIM_TTL_MS, simKeys } from './keys';
import { LuaScript } from './lua-script';
import type { StoredVm } from './vm-record';

// Creating a VM in three steps, so that nothing is left of a failed one:
//   reserve  - one script checks the name, the adopted disks, the free space and the DHCP pools, and
//              only if all pass claims the name, takes the leases, counts the bytes and takes the
//              adopted disks off their source VMs, and records all it took (until commit);
//   (the caller creates and moves the disk files)
//   commit   - writes the record and its index entries, if the claim is still ours;
//   rollback - gives back everything reserve took.
// A process that dies between reserve and commit leaves its record: whoever finds it expired (or the
// caller that holds the lock guarding the name, takeOver) takes it and rolls it back, files first.

/** A disk to adopt, and the VM that lists it now. */
export interface AdoptSource {
  path: string;
  site: string;
  vm: string;
  datastore: string;
}

export interface ReservationRequest {
  site: string;
  name: string;
  datastore: string;
  /** total size of the new (sparse) disks */
  newBytes: number;
  /** one DHCP lease per entry, in NIC order */
  dhcpNetworks: string[];
  adopt: AdoptSource[];
  /** where each disk of the new VM goes, in spec order; adopted ones are moved there */
  files: Array<{ path: string; adopted: boolean }>;
}

export interface Reservation {
  request: ReservationRequest;
  token: string;
  /** the leased addresses, one per request.dhcpNetworks entry */
  ips: string[];
  /** the adopted disks as their source VMs listed them and where, one per request.adopt entry */
  adopted: { disk: VmDisk; position: number }[];
}

const reserve = new LuaScript(`
local r = cjson.decode(ARGV[2])
if redis.call('EXISTS', reservationKey(r.site, r.name)) == 1 then return {'held'} end
if redis.call('EXISTS', vmKey(r.site, r.name)) == 1 or redis.call('EXISTS', claimKey(r.site, r.name)) == 1 then
  return {'vm-exists'}
end
local sources, sizes, positions, adoptedBytes, arrivingBytes = {}, {}, {}, 0, 0
for i, a in ipairs(r.adopt) do
  local key = vmKey(a.site, a.vm)
  if not sources[key] then
    local json = redis.call('GET', key)
    if not json then return {'unknown-disk', a.path} end
    sources[key] = cjson.decode(json)
  end
  local disks, found = sources[key].disks, nil
  for j, disk in ipairs(disks) do if disk.path == a.path then found = j end end
  if not found then return {'unknown-disk', a.path} end
  sizes[i], positions[i] = table.remove(disks, found).sizeBytes, found
  adoptedBytes = adoptedBytes + sizes[i]
  if a.datastore ~= r.datastore then arrivingBytes = arrivingBytes + sizes[i] end
end
local capacity = cjson.decode(redis.call('HGET', K.datastores, r.datastore)).capacityBytes
local free = capacity - tonumber(redis.call('HGET', K.used, r.datastore) or '0')
if free < r.newBytes + arrivingBytes then return {'datastore-full', int(free), int(r.newBytes + arrivingBytes)} end
local wanted = {}
for _, network in ipairs(r.dhcpNetworks) do wanted[network] = (wanted[network] or 0) + 1 end
for network, count in pairs(wanted) do
  if redis.call('SCARD', poolKey(network)) < count then return {'dhcp-exhausted', network} end
end
-- every check passed: take it all
local ips = {}
for i, network in ipairs(r.dhcpNetworks) do ips[i] = redis.call('SPOP', poolKey(network)) end
redis.call('HINCRBY', K.used, r.datastore, int(r.newBytes + adoptedBytes))
for i, a in ipairs(r.adopt) do redis.call('HINCRBY', K.used, a.datastore, int(-sizes[i])) end
for key, vm in pairs(sources) do redis.call('SET', key, cjson.encode(vm)) end
redis.call('SET', claimKey(r.site, r.name), ARGV[3], 'PX', ARGV[4])
local adopted = {}
for i, a in ipairs(r.adopt) do adopted[i] = {disk = {path = a.path, sizeBytes = sizes[i]}, position = positions[i]} end
redis.call('SET', reservationKey(r.site, r.name), cjson.encode({request = r, token = ARGV[3], ips = ips, adopted = adopted}))
redis.call('ZADD', K.reservations, tonumber(ARGV[5]) + tonumber(ARGV[4]), member(r.site, r.name))
return {'ok', ips, sizes, positions}
`);

// Takes a reservation whose process is presumed dead: expired, or any when the caller holds the lock
// that guards the name (takeover).
// Its claim and deadline are renewed so that no other process takes it meanwhile.
const take = new LuaScript(`
local site, name, now, ttl, takeover = ARGV[2], ARGV[3], tonumber(ARGV[4]), tonumber(ARGV[5]), ARGV[6] == '1'
local json = redis.call('GET', reservationKey(site, name))
if not json then return false end
local rec = cjson.decode(json)
local deadline = tonumber(redis.call('ZSCORE', K.reservations, member(site, name)) or '0')
if deadline > now and not takeover then return false end
redis.call('ZADD', K.reservations, now + ttl, member(site, name))
redis.call('SET', claimKey(site, name), rec.token, 'PX', ttl)
return json
`);

const commit = new LuaScript(`
local site, name, token, json, ownerTaskId = ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6]
if redis.call('GET', claimKey(site, name)) ~= token then return 0 end
redis.call('DEL', claimKey(site, name))
redis.call('DEL', reservationKey(site, name))
redis.call('ZREM', K.reservations, member(site, name))
redis.call('SET', vmKey(site, name), json)
redis.call('SADD', siteVmsKey(site), name)
if ownerTaskId ~= '' then redis.call('SADD', ownedKey(ownerTaskId), member(site, name)) end
return 1
`);

// Puts adopted disks back where they were, in reverse order of their removal. Returns the paths of
// adopted disks whose source VM was deleted meanwhile: nobody lists them any more. Only once per
// reservation: its record must still be there with its token.
const rollback = new LuaScript(`
local r = cjson.decode(ARGV[2])
local held = redis.call('GET', reservationKey(r.request.site, r.request.name))
if not held or cjson.decode(held).token ~= r.token then return {} end
redis.call('DEL', reservationKey(r.request.site, r.request.name))
redis.call('ZREM', K.reservations, member(r.request.site, r.request.name))
for i, network in ipairs(r.request.dhcpNetworks) do
  if redis.call('HEXISTS', K.networks, network) == 1 then redis.call('SADD', poolKey(network), r.ips[i]) end
end
local bytes, orphans = r.request.newBytes, {}
for i = #r.request.adopt, 1, -1 do
  local a, disk, position = r.request.adopt[i], r.adopted[i].disk, r.adopted[i].position
  bytes = bytes + disk.sizeBytes
  local key = vmKey(a.site, a.vm)
  local json = redis.call('GET', key)
  if json then
    local vm = cjson.decode(json)
    table.insert(vm.disks, math.min(position, #vm.disks + 1), disk)
    redis.call('SET', key, cjson.encode(vm))
    redis.call('HINCRBY', K.used, a.datastore, int(disk.sizeBytes))
  else
    orphans[#orphans + 1] = disk.path
  end
end
redis.call('HINCRBY', K.used, r.request.datastore, int(-bytes))
if redis.call('GET', claimKey(r.request.site, r.request.name)) == r.token then
  redis.call('DEL', claimKey(r.request.site, r.request.name))
end
return orphans
`);

export class VmReservations {
  constructor(private readonly redis: Redis) {}

  /**
   * Throws PlatformError (vm-exists, unknown-disk, datastore-full, dhcp-exhausted) having taken
   * nothing; 'held' when another reservation of that name is recorded (in progress, or left by a crash).
   */
  async reserve(request: ReservationRequest): Promise<Reservation | 'held'> {
    const token = randomUUID();
    const args = [JSON.stringify(request), token, CLAIM_TTL_MS, Date.now()];
    const [outcome, first, second, third] = (await reserve.run(this.redis, ...args)) as [string, unknown, unknown, unknown];
    if (outcome === 'held') return 'held';
    if (outcome === 'ok') {
      const [sizes, positions] = [second as number[], third as number[]];
      return {
        request,
        token,
        ips: first as string[],
        adopted: request.adopt.map((a, i) => ({
          disk: { path: a.path, sizeBytes: Number(sizes[i]) },
          position: Number(positions[i]),
        })),
      };
    }
    throw refusal(request, outcome, String(first), String(second));
  }

  /** False when the claim expired (the caller then rolls back). */
  async commit(reservation: Reservation, vm: StoredVm): Promise<boolean> {
    const { site, name } = reservation.request;
    const result = await commit.run(this.redis, site, name, reservation.token, JSON.stringify(vm), vm.owner?.taskId ?? '');
    return result === 1;
  }

  /** The reservation of a name if it expired (or at once, takeOver), renewed for the caller to roll back. */
  async take(site: string, name: string, now: number, takeOver: boolean): Promise<Reservation | null> {
    const json = (await take.run(this.redis, site, name, now, CLAIM_TTL_MS, takeOver ? 1 : 0)) as string | null;
    return json === null ? null : fromRecord(json);
  }

  /** Names (vmMember) whose reservation expired by `now`. */
  async expired(now: number): Promise<string[]> {
    return this.redis.zrangebyscore(simKeys.reservations, '-inf', now, 'LIMIT', 0, 16);
  }

  /** Gives back what reserve took; returns the adopted disk paths no VM lists any more. */
  async rollback(reservation: Reservation): Promise<string[]> {
    return (await rollback.run(this.redis, JSON.stringify(reservation))) as string[];
  }
}

/** cjson writes an empty list as {}. */
const list = <T>(x: T[] | Record<string, never>): T[] => (Array.isArray(x) ? x : []);

function fromRecord(json: string): Reservation {
  const r = JSON.parse(json) as Reservation;
  const request = { ...r.request, adopt: list(r.request.adopt), dhcpNetworks: list(r.request.dhcpNetworks), files: list(r.request.files) };
  return { ...r, request, ips: list(r.ips), adopted: list(r.adopted) };
}

function refusal(request: ReservationRequest, code: string, detail: string, more: string): PlatformError {
  switch (code) {
    case 'vm-exists':
      return new PlatformError(
        'vm-exists',
        `a VM named ${request.name} already exists on site ${request.site} (or is being created or deleted)`,
      );
    case 'unknown-disk':
      return new PlatformError('unknown-disk', `no VM lists the disk ${detail}, so it cannot be adopted`);
    case 'datastore-full':
      return new PlatformError(
        'datastore-full',
        `datastore ${request.datastore} has ${detail} bytes free; the disks of VM ${request.name} need ${more}`,
      );
    case 'dhcp-exhausted':
      return new PlatformError('dhcp-exhausted', `network ${detail} has no free DHCP address left for VM ${request.name}`);
    default:
      throw new Error(`unexpected reservation outcome ${code}`);
  }
}
