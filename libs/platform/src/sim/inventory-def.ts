import type { ClusterInfo } from '../platform';
import { ipRange } from './ip-range';

// What an inventory is made of before it is written to Redis: the seeded default sites, or what an
// operator or a test adds.

export interface DatastoreDef {
  name: string;
  site: string;
  capacityBytes: number;
}

export interface NetworkDef {
  name: string;
  site: string;
  dhcp: boolean;
  isolated: boolean;
  /** the free DHCP addresses it starts with (empty without DHCP) */
  pool: string[];
  /** its IPv4 range (CIDR); none: unknown */
  subnet?: string;
}

export interface InventoryDef {
  sites: string[];
  clusters: ClusterInfo[];
  datastores: DatastoreDef[];
  networks: NetworkDef[];
}

export const DEFAULT_CAPACITY_BYTES = 2 * 1024 ** 4;
export const DEFAULT_POOL_SIZE = 200;

/** Second octet of each default site's subnets: primary 10.10-12.0.0/24, recovery 10.20-22.0.0/24 (net, test-net, static-net). */
const DEFAULT_SITES = [
  { site: 'primary', octet: 10 },
  { site: 'recovery', octet: 20 },
];

/** The contract's simulated sites: a cluster, a datastore and three networks each. */
export function defaultInventory(capacityBytes: number): InventoryDef {
  return {
    sites: DEFAULT_SITES.map(({ site }) => site),
    clusters: DEFAULT_SITES.map(({ site }) => ({ name: `${site}-cluster`, site })),
    datastores: DEFAULT_SITES.map(({ site }) => ({ name: `${site}-ds`, site, capacityBytes })),
    networks: DEFAULT_SITES.flatMap(({ site, octet }) => [
      { name: `${site}-net`, site, dhcp: true, isolated: false, ...dhcpRange(octet) },
      { name: `${site}-test-net`, site, dhcp: true, isolated: true, ...dhcpRange(octet + 1) },
      { name: `${site}-static-net`, site, dhcp: false, isolated: false, pool: [], subnet: `10.${octet + 2}.0.0/24` },
    ]),
  };
}

/** A default /24 with its DHCP pool from .10 on. */
function dhcpRange(octet: number): Pick<NetworkDef, 'pool' | 'subnet'> {
  return { pool: ipRange(`10.${octet}.0.10`, DEFAULT_POOL_SIZE), subnet: `10.${octet}.0.0/24` };
}
