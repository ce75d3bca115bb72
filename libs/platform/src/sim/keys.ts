// Redis key layout of the simulated vCenter. TypeScript uses these keys through the client, which adds
// its keyPrefix; the Lua scripts build the same keys from the namespace (keyPrefix + NS) they receive
// as ARGV[1], because keys made inside a script never get the client's prefix. Keep both halves in step.

export const NS = 'sim:';

export const simKeys = {
  /** set once the default sites are seeded */
  seeded: `${NS}seeded`,
  /** set of site names */
  sites: `${NS}sites`,
  /** hash cluster name -> JSON {name, site} */
  clusters: `${NS}clusters`,
  /** hash datastore name -> JSON {name, site, capacityBytes} */
  datastores: `${NS}datastores`,
  /** hash datastore name -> provisioned bytes of the disks on it */
  used: `${NS}ds-used`,
  /** hash network name -> JSON {name, site, dhcp, isolated} */
  networks: `${NS}networks`,
  /** counter handing out DHCP subnets to networks added without a first address */
  subnets: `${NS}subnets`,
  /** set of the free DHCP addresses of a network */
  pool: (network: string) => `${NS}pool:${network}`,
  /** JSON of a VM (VmInfo plus its DHCP leases) */
  vm: (site: string, name: string) => `${NS}vm:${site}:${name}`,
  /** token that reserves a VM name while a createVm works on it; expires if that process dies */
  claim: (site: string, name: string) => `${NS}claim:${site}:${name}`,
  /** JSON of a reservation between reserve and commit (crash recovery: what to give back) */
  reservation: (site: string, name: string) => `${NS}reservation:${site}:${name}`,
  /** zset of vmMember()s with a reservation, by when it expires (ms) */
  reservations: `${NS}reservations`,
  /** set of the VM names of a site */
  siteVms: (site: string) => `${NS}vms:${site}`,
  /** set of vmMember()s of the VMs a task owns */
  owned: (taskId: string) => `${NS}owned:${taskId}`,
  /** list of JSON faults waiting to be injected into an operation */
  faults: (op: string) => `${NS}faults:${op}`,
};

/** A process that dies while it holds a name claim (creating or deleting a VM) holds it this long. */
export const CLAIM_TTL_MS = 5 * 60 * 1000;

/** Member of an owner index; site names never contain ':' (see valid-name.ts). */
export function vmMember(site: string, name: string): string {
  return `${site}:${name}`;
}

export function parseVmMember(member: string): { site: string; name: string } {
  const colon = member.indexOf(':');
  return { site: member.slice(0, colon), name: member.slice(colon + 1) };
}

/** Prepended to every script: the same layout in Lua, plus integer formatting for HINCRBY. */
export const LUA_KEYS = `
local ns = ARGV[1]
local K = {
  seeded = ns .. 'seeded', sites = ns .. 'sites', clusters = ns .. 'clusters',
  datastores = ns .. 'datastores', used = ns .. 'ds-used', networks = ns .. 'networks',
}
local function poolKey(network) return ns .. 'pool:' .. network end
local function vmKey(site, name) return ns .. 'vm:' .. site .. ':' .. name end
local function siteVmsKey(site) return ns .. 'vms:' .. site end
local function ownedKey(taskId) return ns .. 'owned:' .. taskId end
local function claimKey(site, name) return ns .. 'claim:' .. site .. ':' .. name end
local function reservationKey(site, name) return ns .. 'reservation:' .. site .. ':' .. name end
K.reservations = ns .. 'reservations'
local function faultsKey(op) return ns .. 'faults:' .. op end
local function member(site, name) return site .. ':' .. name end
-- Lua formats numbers with 14 significant digits ("1e+15"), which HINCRBY refuses
local function int(n) return string.format('%d', n) end
`;
