import { mkdir } from 'node:fs/promises';
import type { Redis } from 'ioredis';
import {
  PlatformError,
  type ClusterInfo,
  type CreateVmSpec,
  type DatastoreInfo,
  type DiskHandle,
  type NetworkInfo,
  type Platform,
  type SiteInfo,
  type VmFilter,
  type VmInfo,
} from '../platform';
import { DatastoreFolders } from './datastore-folders';
import { FaultInjector, type FaultOp, type FaultOptions } from './faults';
import { FileDiskHandle } from '../file-disk-handle';
import { InventoryStore } from './inventory';
import { DEFAULT_CAPACITY_BYTES, DEFAULT_POOL_SIZE, defaultInventory, type DatastoreDef, type InventoryDef } from './inventory-def';
import { ipRange } from './ip-range';
import { inSubnet, subnetFault } from '../subnet';
import { NS } from './keys';
import { assertValidName } from '../valid-name';
import { VmCreation, type CrashPoint } from './vm-creation';
import { VmReservations } from './vm-reservations';
import { VmStore } from './vm-store';

export interface SimPlatformOptions {
  /** capacity of each seeded datastore (default 2 TiB) */
  datastoreCapacityBytes?: number;
  /** tests only: kill the process at this point of createVm (JSS_TEST_CRASH_AT) */
  crashAt?: CrashPoint;
}

export interface AddNetworkSpec {
  name: string;
  site: string;
  dhcp: boolean;
  isolated?: boolean;
  /** free DHCP addresses it starts with (default 200; 0 gives a DHCP network with an empty pool) */
  poolSize?: number;
  /** first address of the pool (default: the next free 172.16-31.x.10 subnet) */
  firstIp?: string;
  /** its IPv4 range, e.g. 10.40.0.0/24 (default: the /24 of the next free subnet when firstIp is not given; else unknown) */
  subnet?: string;
}

/**
 * The simulated vCenter: inventory in Redis (shared by every process on the same Redis and key
 * prefix), datastores as folders of sparse image files under `<dataDir>/datastores`.
 */
export class SimPlatform implements Platform {
  private readonly inventory: InventoryStore;
  private readonly vms: VmStore;
  private readonly creation: VmCreation;
  private readonly folders: DatastoreFolders;
  private readonly faults: FaultInjector;

  constructor(
    private readonly redis: Redis,
    dataDir: string,
    private readonly options: SimPlatformOptions = {},
  ) {
    this.inventory = new InventoryStore(redis);
    this.vms = new VmStore(redis);
    this.folders = new DatastoreFolders(dataDir);
    this.faults = new FaultInjector(redis);
    this.creation = new VmCreation(this.inventory, new VmReservations(redis), this.folders, options.crashAt);
  }

  async seed(): Promise<void> {
    await this.define(defaultInventory(this.options.datastoreCapacityBytes ?? DEFAULT_CAPACITY_BYTES), 'seed');
  }

  listSites(): Promise<SiteInfo[]> {
    return this.inventory.sites().then((names) => names.map((name) => ({ name })));
  }

  listClusters(site?: string): Promise<ClusterInfo[]> {
    return this.inventory.clusters(site);
  }

  listDatastores(site?: string): Promise<DatastoreInfo[]> {
    return this.inventory.datastores(site);
  }

  listNetworks(site?: string): Promise<NetworkInfo[]> {
    return this.inventory.networks(site);
  }

  getCluster(name: string): Promise<ClusterInfo | null> {
    return this.inventory.cluster(name);
  }

  getDatastore(name: string): Promise<DatastoreInfo | null> {
    return this.inventory.datastore(name);
  }

  getNetwork(name: string): Promise<NetworkInfo | null> {
    return this.inventory.network(name);
  }

  listVms(filter?: VmFilter): Promise<VmInfo[]> {
    return this.vms.list(filter);
  }

  getVm(site: string, name: string): Promise<VmInfo | null> {
    return this.vms.get(site, name);
  }

  async createVm(spec: CreateVmSpec): Promise<VmInfo> {
    await this.faults.check('createVm', spec.name);
    return this.creation.create(spec);
  }

  async deleteVm(site: string, name: string): Promise<boolean> {
    await this.faults.check('deleteVm', name);
    return this.vms.remove(site, name, async (vm) => {
      await this.folders.removeDisks(vm.disks.map((disk) => disk.path));
      await this.folders.removeFolderIfEmpty(this.folders.vmFolder(vm.datastore, vm.name));
    });
  }

  /** A simulated DHCP lease is taken when the VM is created: it is already in the VM record. */
  async powerOn(site: string, name: string): Promise<VmInfo> {
    await this.faults.check('powerOn', name);
    await this.power(site, name, 'poweredOn');
    const vm = await this.vms.get(site, name);
    if (!vm) throw new PlatformError('unknown-vm', `there is no VM ${name} on site ${site}`);
    return vm;
  }

  async powerOff(site: string, name: string): Promise<void> {
    await this.power(site, name, 'poweredOff');
  }

  async openDisk(path: string): Promise<DiskHandle> {
    await this.faults.check('openDisk', path);
    try {
      return await FileDiskHandle.open(this.folders.file(path), { direct: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new PlatformError('unknown-disk', `there is no disk ${path}`);
      throw err;
    }
  }

  /** The image file behind a datastore path such as "[recovery-ds] web/disk-0.img". */
  diskFile(path: string): string {
    return this.folders.file(path);
  }

  async addNetwork(spec: AddNetworkSpec): Promise<NetworkInfo> {
    const { name, site, dhcp, isolated = false, poolSize = DEFAULT_POOL_SIZE } = spec;
    const fault = spec.subnet ? subnetFault(spec.subnet) : null;
    if (fault) throw new PlatformError('invalid-spec', `network ${name}: ${fault}`);
    // neither range nor first address: the next free /24, its pool from .10 (a pool past .255 leaves the range unknown)
    const fresh = spec.subnet || spec.firstIp ? null : await this.inventory.nextSubnet();
    const first = spec.firstIp ?? fresh ?? ipRange(spec.subnet!.split('/')[0]!, 11)[10]!;
    const pool = dhcp ? ipRange(first, poolSize) : [];
    const range = spec.subnet ?? fresh?.replace(/\.10$/, '.0/24');
    const stray = range ? pool.find((ip) => !inSubnet(ip, range)) : undefined;
    if (stray && spec.subnet)
      throw new PlatformError('invalid-spec', `network ${name}: its DHCP pool reaches ${stray}, outside ${spec.subnet}`);
    const subnet = stray ? undefined : range;
    await this.define({ ...nothing(site), networks: [{ name, site, dhcp, isolated, pool, ...(subnet && { subnet }) }] }, 'add');
    return (await this.inventory.network(name))!;
  }

  async addDatastore(datastore: DatastoreDef): Promise<DatastoreInfo> {
    if (!Number.isSafeInteger(datastore.capacityBytes) || datastore.capacityBytes <= 0) {
      throw new PlatformError('invalid-spec', `datastore capacity ${datastore.capacityBytes} is not a positive whole number of bytes`);
    }
    await this.define({ ...nothing(datastore.site), datastores: [datastore] }, 'add');
    return (await this.inventory.datastore(datastore.name))!;
  }

  async addCluster(cluster: ClusterInfo): Promise<ClusterInfo> {
    await this.define({ ...nothing(cluster.site), clusters: [cluster] }, 'add');
    return cluster;
  }

  /** Makes the next matching call(s) of `op` fail with PlatformError('injected-fault'), in every process. */
  injectFault(op: FaultOp, options?: FaultOptions): Promise<void> {
    return this.faults.inject(op, options);
  }

  clearFaults(): Promise<void> {
    return this.faults.clear();
  }

  /** For tests: forgets this key prefix's whole inventory and deletes the datastore folders. */
  async reset(): Promise<void> {
    const prefix = this.redis.options.keyPrefix ?? '';
    // SCAN patterns do not get the client's keyPrefix, while DEL arguments do
    const stream = this.redis.scanStream({ match: `${escapeGlob(prefix)}${NS}*`, count: 1000 });
    for await (const keys of stream as AsyncIterable<string[]>) {
      if (keys.length > 0) await this.redis.del(...keys.map((key) => key.slice(prefix.length)));
    }
    await this.folders.clear();
  }

  private async define(inv: InventoryDef, mode: 'seed' | 'add'): Promise<void> {
    inv.sites.forEach((site) => assertValidName('site', site));
    inv.clusters.forEach((cluster) => assertValidName('cluster', cluster.name));
    inv.datastores.forEach((datastore) => assertValidName('datastore', datastore.name));
    inv.networks.forEach((network) => assertValidName('network', network.name));
    await this.inventory.define(inv, mode);
    await Promise.all(inv.datastores.map((ds) => mkdir(this.folders.folder(ds.name), { recursive: true })));
  }

  private async power(site: string, name: string, state: 'poweredOn' | 'poweredOff'): Promise<void> {
    if (!(await this.vms.setPower(site, name, state))) {
      throw new PlatformError('unknown-vm', `there is no VM ${name} on site ${site}`);
    }
  }
}

/** An inventory definition that only adds a site (the site of what is being added). */
function nothing(site: string): InventoryDef {
  return { sites: [site], clusters: [], datastores: [], networks: [] };
}

function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&');
}
