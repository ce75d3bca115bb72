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
import { DatastoreMounts } from './datastore-mounts';
import { Inventory } from './inventory';
import type { SiteFile } from './site-file';
import { SoapClient, type SoapClientOptions } from './soap-client';
import { VcenterVms, guard, type VcenterVmsOptions } from './vcenter-vms';
import { Vim } from './vim';
import { VmCreation } from './vm-creation';
import { VM_PATHS, toVmInfo } from './vm-props';
import { text, type XmlNode } from './xml';

export interface VspherePlatformOptions extends SoapClientOptions, VcenterVmsOptions {
  site: SiteFile;
}

/**
 * The Platform over a vCenter (vim25 SOAP). Names in and out are the site file's; VMs live in the
 * datacenter's VM folder, owned ones carry their owner in the annotation; RVM disks are thin disks
 * whose flat files the rehydrators write through the datastore's mount path.
 */
export class VspherePlatform implements Platform {
  private readonly vim: Vim;
  private readonly inventory: Inventory;
  private readonly mounts: DatastoreMounts;
  private readonly vms: VcenterVms;
  private readonly creation: VmCreation;

  constructor(private readonly options: VspherePlatformOptions) {
    this.vim = new Vim(new SoapClient(options));
    this.inventory = new Inventory(this.vim, options.site);
    this.mounts = new DatastoreMounts(options.site);
    this.vms = new VcenterVms(this.vim, options);
    this.creation = new VmCreation(this.vim, this.vms, this.inventory, this.mounts, options.site, {
      vmExists: async (site, name) => (await this.getVm(site, name)) !== null,
      freeAddresses: async (network) => (await this.getNetwork(network))?.freeAddresses ?? 0,
      vmInfo: async (site, name) => (await this.getVm(site, name))!,
    });
  }

  /** Checks that vCenter has every datacenter, cluster, datastore and port group the site file names. */
  async seed(): Promise<void> {
    await guard('looking up the site file in vCenter', () => this.inventory.sites());
  }

  async listSites(): Promise<SiteInfo[]> {
    return Object.keys(this.options.site.sites).map((name) => ({ name }));
  }

  async listClusters(site?: string): Promise<ClusterInfo[]> {
    return this.siteDefs(site).flatMap(([s, def]) => def.clusters.map((c) => ({ name: c.name, site: s })));
  }

  async listDatastores(site?: string): Promise<DatastoreInfo[]> {
    return guard('listing datastores', async () => {
      const out: DatastoreInfo[] = [];
      for (const [name] of this.siteDefs(site)) {
        for (const [ds, summary] of await this.datastoreSummaries(name)) {
          out.push({
            name: ds,
            site: name,
            capacityBytes: Number(text(summary, 'capacity') ?? 0),
            freeBytes: Number(text(summary, 'freeSpace') ?? 0),
          });
        }
      }
      return out;
    });
  }

  async listNetworks(site?: string): Promise<NetworkInfo[]> {
    const out: NetworkInfo[] = [];
    for (const [name, def] of this.siteDefs(site)) {
      const used = new Map<string, number>();
      for (const vm of await this.listVms({ site: name })) for (const n of vm.nics) used.set(n.network, (used.get(n.network) ?? 0) + 1);
      for (const n of def.networks) {
        const free = n.dhcp ? Math.max(0, n.poolSize - (used.get(n.name) ?? 0)) : 0;
        out.push({
          name: n.name,
          site: name,
          dhcp: n.dhcp,
          isolated: n.isolated,
          freeAddresses: free,
          ...(n.subnet && { subnet: n.subnet }),
        });
      }
    }
    return out;
  }

  async getCluster(name: string): Promise<ClusterInfo | null> {
    return (await this.listClusters()).find((c) => c.name === name) ?? null;
  }

  async getDatastore(name: string): Promise<DatastoreInfo | null> {
    return (await this.listDatastores()).find((d) => d.name === name) ?? null;
  }

  async getNetwork(name: string): Promise<NetworkInfo | null> {
    const site = this.siteDefs().find(([, def]) => def.networks.some((n) => n.name === name));
    return site ? ((await this.listNetworks(site[0])).find((n) => n.name === name) ?? null) : null;
  }

  async listVms(filter: VmFilter = {}): Promise<VmInfo[]> {
    return guard('listing VMs', async () => {
      const out: VmInfo[] = [];
      for (const [name] of this.siteDefs(filter.site)) {
        const site = await this.inventory.site(name);
        for (const vm of await this.vim.listUnder(site.vmFolder, 'VirtualMachine', VM_PATHS)) out.push(toVmInfo(site, vm));
      }
      return out.filter(
        (vm) =>
          (filter.ownerTaskId === undefined || vm.owner?.taskId === filter.ownerTaskId) &&
          (filter.kind === undefined || vm.owner?.kind === filter.kind) &&
          (filter.owned === undefined || (vm.owner !== null) === filter.owned),
      );
    });
  }

  async getVm(site: string, name: string): Promise<VmInfo | null> {
    if (!this.options.site.sites[site]) return null;
    return guard(`looking up VM ${name}`, async () => {
      const resolved = await this.inventory.site(site);
      const ref = await this.vms.find(resolved, name);
      const props = ref && (await this.vim.get(ref, VM_PATHS));
      return props ? toVmInfo(resolved, props) : null;
    });
  }

  createVm(spec: CreateVmSpec): Promise<VmInfo> {
    return this.creation.create(spec);
  }

  async deleteVm(site: string, name: string): Promise<boolean> {
    const resolved = await guard('looking up the site', () => this.inventory.site(site));
    return guard(`deleting VM ${name}`, async () => {
      const ref = await this.vms.find(resolved, name);
      if (!ref) return false;
      return this.vms.destroy(ref, name);
    });
  }

  /** Returns once the guest reports an address on each NIC the system asked a DHCP lease for (its owner line says which). */
  async powerOn(site: string, name: string): Promise<VmInfo> {
    const resolved = await guard('looking up the site', () => this.inventory.site(site));
    return this.vms.waitForAddresses(resolved, await this.vms.power(resolved, name, 'PowerOnVM_Task'), name);
  }

  async powerOff(site: string, name: string): Promise<void> {
    const resolved = await guard('looking up the site', () => this.inventory.site(site));
    await this.vms.power(resolved, name, 'PowerOffVM_Task');
  }

  openDisk(path: string): Promise<DiskHandle> {
    return this.mounts.open(path);
  }

  /** The flat file behind a disk, on the datastore's mount path. */
  diskFile(path: string): string {
    return this.mounts.flatFile(path);
  }

  private siteDefs(site?: string): [string, SiteFile['sites'][string]][] {
    return Object.entries(this.options.site.sites).filter(([name]) => site === undefined || name === site);
  }

  /**
   * The summary of each datastore of a site. A datastore vCenter no longer knows by the reference
   * looked up (vCenter restarted and named it anew, as vcsim does) is looked up again, once.
   */
  private async datastoreSummaries(site: string, again = true): Promise<Map<string, XmlNode>> {
    const out = new Map<string, XmlNode>();
    for (const [ds, { ref }] of (await this.inventory.site(site)).datastores) {
      const summary = (await this.vim.get(ref, ['summary']))?.props.get('summary');
      if (!summary && again) {
        this.inventory.forget();
        return this.datastoreSummaries(site, false);
      }
      if (!summary) throw new PlatformError('unknown-datastore', `vCenter no longer knows datastore ${ds} of site ${site}`);
      out.set(ds, summary);
    }
    return out;
  }
}
