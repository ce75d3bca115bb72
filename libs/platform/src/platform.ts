// The target platform as the recovery services see it: one interface, implemented by the simulated
// vCenter (embedded default, inventory in Redis, datastores as folders of sparse images) and later
// by a vSphere adapter. VMs are identified by (site, name), as a source VM and its recovered copy
// carry the same name on two sites.

import type { VmKind } from '@jss/contract';

export type PowerState = 'poweredOn' | 'poweredOff';

/** Which task created a VM; null for VMs the system did not create (never touched by the janitor). */
export interface VmOwner {
  taskId: string;
  kind: VmKind;
  domain: string;
}

export interface VmDisk {
  /** vSphere-style datastore path, e.g. "[recovery-ds] jss-rvm-web/disk-0.img". */
  path: string;
  sizeBytes: number;
}

export interface VmNic {
  network: string;
  ip: string | null;
}

export interface VmInfo {
  name: string;
  site: string;
  cluster: string;
  datastore: string;
  powerState: PowerState;
  disks: VmDisk[];
  nics: VmNic[];
  owner: VmOwner | null;
  createdAt: string;
}

export interface SiteInfo {
  name: string;
}

export interface ClusterInfo {
  name: string;
  site: string;
}

export interface DatastoreInfo {
  name: string;
  site: string;
  capacityBytes: number;
  /** capacity minus the provisioned size of every disk on it */
  freeBytes: number;
}

export interface NetworkInfo {
  name: string;
  site: string;
  dhcp: boolean;
  /** an isolated network has no route to production (test failover) */
  isolated: boolean;
  /** addresses the DHCP pool can still hand out (0 when dhcp is false) */
  freeAddresses: number;
  /** the network's IPv4 range (CIDR, e.g. 10.20.0.0/24) where the platform knows it; static addresses must lie in it */
  subnet?: string;
}

/** A NIC asks for a DHCP lease ("dhcp") or carries a static address. */
export interface NicSpec {
  network: string;
  ip: 'dhcp' | string;
}

/** A new empty (sparse) disk of a size, or an existing disk file moved into the new VM (adopted). */
export type DiskSpec = { sizeBytes: number } | { adopt: string };

export interface CreateVmSpec {
  name: string;
  site: string;
  cluster: string;
  datastore: string;
  nics: NicSpec[];
  disks: DiskSpec[];
  owner: VmOwner | null;
  powerOn?: boolean;
  /**
   * The caller is the only one creating a VM of this name now (it holds the lock that guards the
   * name): a creation of that name left half-done by a crashed process is rolled back and redone.
   */
  takeOver?: boolean;
}

/** How a disk's writes reach it: past the page cache (O_DIRECT), or through it. */
export type DiskIoMode = 'direct' | 'page-cache';

/** Positioned writes into a VM disk; sync() makes what was written durable. */
export interface DiskHandle {
  readonly sizeBytes: number;
  /** absent: page-cache (a handle that says nothing is treated as writing through the page cache) */
  readonly ioMode?: DiskIoMode;
  write(buffer: Uint8Array, offset: number): Promise<void>;
  /** the buffers one after the other from `offset`, in one call where the disk can (optional) */
  writev?(buffers: Uint8Array[], offset: number): Promise<void>;
  sync(): Promise<void>;
  close(): Promise<void>;
}

export interface VmFilter {
  site?: string;
  ownerTaskId?: string;
  kind?: VmKind;
  /** only VMs created by the system (owner not null) */
  owned?: boolean;
}

/** Error codes are stable: the planner maps them to command.rejected / task.failed reasons. */
export type PlatformErrorCode =
  | 'unknown-site'
  | 'unknown-cluster'
  | 'unknown-datastore'
  | 'unknown-network'
  | 'unknown-vm'
  | 'unknown-disk'
  | 'invalid-spec'
  | 'vm-exists'
  | 'no-dhcp'
  | 'dhcp-exhausted'
  | 'datastore-full'
  | 'injected-fault'
  | 'platform-error';

export class PlatformError extends Error {
  constructor(
    readonly code: PlatformErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'PlatformError';
  }
}

export interface Platform {
  /** Create the default sites when the inventory is empty; idempotent. */
  seed(): Promise<void>;
  listSites(): Promise<SiteInfo[]>;
  listClusters(site?: string): Promise<ClusterInfo[]>;
  listDatastores(site?: string): Promise<DatastoreInfo[]>;
  listNetworks(site?: string): Promise<NetworkInfo[]>;
  getCluster(name: string): Promise<ClusterInfo | null>;
  getDatastore(name: string): Promise<DatastoreInfo | null>;
  getNetwork(name: string): Promise<NetworkInfo | null>;

  listVms(filter?: VmFilter): Promise<VmInfo[]>;
  getVm(site: string, name: string): Promise<VmInfo | null>;
  /** Fails with PlatformError (vm-exists, no-dhcp, dhcp-exhausted, unknown-*) and then creates nothing. */
  createVm(spec: CreateVmSpec): Promise<VmInfo>;
  /** Deletes the VM, its disk files and DHCP leases; false when it did not exist. */
  deleteVm(site: string, name: string): Promise<boolean>;
  /**
   * Powers the VM on (nothing to do when it runs) and returns it as it runs: with the address of
   * each NIC that asked for a DHCP lease, which on vSphere is known only once the guest reports it.
   */
  powerOn(site: string, name: string): Promise<VmInfo>;
  powerOff(site: string, name: string): Promise<void>;
  openDisk(path: string): Promise<DiskHandle>;
  /** The local file holding a disk's bytes (a simulated datastore's image, a vSphere thin disk's flat file on its mount). */
  diskFile(path: string): string;
}
