import { isIP } from 'node:net';
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
import { assertValidName } from '../valid-name';
import { DatastoreMounts } from './datastore-mounts';
import { DiskAdoption } from './disk-adoption';
import { toPlatformError } from './faults';
import { Inventory, type ResolvedSite } from './inventory';
import { ownerAnnotation, readOwnerMark } from './owner-mark';
import type { SiteFile } from './site-file';
import { SoapClient, VimFault, type SoapClientOptions } from './soap-client';
import { Vim } from './vim';
import { VM_PATHS, diskDevices, toVmInfo } from './vm-props';
import { newDisk, nic, scsiController } from './vm-spec';
import { MoRef, moRef, text, type SoapObject, type XmlNode } from './xml';

export interface VspherePlatformOptions extends SoapClientOptions {
  site: SiteFile;
  /** one vCenter task (create, reconfigure, power, destroy; default 10 min) */
  taskTimeoutMs?: number;
  /** how long a powered-on VM's guest has to report its DHCP address (default 5 min) */
  guestIpTimeoutMs?: number;
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
  private readonly adoption: DiskAdoption;

  constructor(private readonly options: VspherePlatformOptions) {
    this.vim = new Vim(new SoapClient(options));
    this.inventory = new Inventory(this.vim, options.site);
    this.mounts = new DatastoreMounts(options.site);
    this.adoption = new DiskAdoption(this.vim, (method, self, args) => this.task(method, self, args));
  }

  /** Checks that vCenter has every datacenter, cluster, datastore and port group the site file names. */
  async seed(): Promise<void> {
    await this.guard('looking up the site file in vCenter', () => this.inventory.sites());
  }

  async listSites(): Promise<SiteInfo[]> {
    return Object.keys(this.options.site.sites).map((name) => ({ name }));
  }

  async listClusters(site?: string): Promise<ClusterInfo[]> {
    return this.siteDefs(site).flatMap(([s, def]) => def.clusters.map((c) => ({ name: c.name, site: s })));
  }

  async listDatastores(site?: string): Promise<DatastoreInfo[]> {
    return this.guard('listing datastores', async () => {
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
        out.push({ name: n.name, site: name, dhcp: n.dhcp, isolated: n.isolated, freeAddresses: free });
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
    return this.guard('listing VMs', async () => {
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
    return this.guard(`looking up VM ${name}`, async () => {
      const resolved = await this.inventory.site(site);
      const ref = await this.findVm(resolved, name);
      const props = ref && (await this.vim.get(ref, VM_PATHS));
      return props ? toVmInfo(resolved, props) : null;
    });
  }

  async createVm(spec: CreateVmSpec): Promise<VmInfo> {
    assertValidName('VM', spec.name);
    const site = await this.guard('looking up the site', () => this.inventory.site(spec.site));
    const cluster = site.clusters.get(spec.cluster);
    if (!cluster) throw new PlatformError('unknown-cluster', `there is no cluster named ${spec.cluster} on site ${spec.site}`);
    const datastore = site.datastores.get(spec.datastore);
    if (!datastore) throw new PlatformError('unknown-datastore', `there is no datastore named ${spec.datastore} on site ${spec.site}`);
    const networks = await this.checkNics(site, spec);
    if (await this.getVm(spec.site, spec.name))
      throw new PlatformError('vm-exists', `a VM named ${spec.name} already exists on site ${spec.site}`);

    const size = spec.owner?.kind === 'rocva' ? this.options.site.rocva : this.options.site.vm;
    const ips = spec.nics.map((n) => (n.ip === 'dhcp' ? null : n.ip));
    const fresh = spec.disks.flatMap((d, index) => ('sizeBytes' in d ? [newDisk(datastore.vsphere, index, d.sizeBytes)] : []));
    const config = {
      name: spec.name,
      guestId: size.guestId,
      annotation: ownerAnnotation(spec.owner, new Date().toISOString(), ips),
      files: { vmPathName: `[${datastore.vsphere}]` },
      numCPUs: size.cpus,
      memoryMB: size.memoryMB,
      deviceChange: [scsiController(), ...fresh, ...networks.map((n, i) => nic(i, n.backing))],
    };
    const doing = `creating VM ${spec.name}`;
    const sized = { annotation: config.annotation, numCPUs: config.numCPUs, memoryMB: config.memoryMB };
    const template = spec.owner?.kind === 'rocva' ? this.options.site.rocva.template : undefined;
    const created = moRef(
      await this.guard(doing, async () => {
        if (!template) return this.task('CreateVM_Task', site.vmFolder, { config, pool: cluster.resourcePool });
        // the RocVA from its template: the template's disks, our size, owner line and NICs
        const source = await this.findVm(site, template);
        if (!source)
          throw new PlatformError('platform-error', `${doing}: there is no RocVA template ${template} in datacenter ${spec.site}`);
        // the owner line goes with the clone itself, so that no unmarked RocVA can be left behind
        const cloneSpec = {
          location: { datastore: datastore.ref, pool: cluster.resourcePool },
          template: false,
          config: sized,
          powerOn: false,
        };
        return this.task('CloneVM_Task', source, { folder: site.vmFolder, name: spec.name, spec: cloneSpec });
      }),
    );
    if (!created) throw new PlatformError('platform-error', `${doing}: vCenter gave no VM`);
    try {
      await this.guard(doing, async () => {
        // vcsim ignores a clone's config (vCenter applies it): set it again, with the NICs
        if (template)
          await this.task('ReconfigVM_Task', created, { spec: { ...sized, deviceChange: networks.map((n, i) => nic(i, n.backing)) } });
        await this.adoption.adopt(site, created, spec, datastore.vsphere);
        const props = await this.vim.get(created, ['config.hardware.device']);
        await this.mounts.extendFlatFiles(diskDevices(props?.props.get('config.hardware.device')));
        if (spec.powerOn) await this.task('PowerOnVM_Task', created, {});
      });
      if (spec.powerOn) {
        return await this.waitForAddresses(
          site,
          created,
          spec.name,
          spec.nics.map((n) => n.ip === 'dhcp'),
        );
      }
    } catch (err) {
      await this.destroy(created, spec.name).catch(() => undefined);
      throw err;
    }
    return (await this.getVm(spec.site, spec.name))!;
  }

  async deleteVm(site: string, name: string): Promise<boolean> {
    const resolved = await this.guard('looking up the site', () => this.inventory.site(site));
    return this.guard(`deleting VM ${name}`, async () => {
      const ref = await this.findVm(resolved, name);
      if (!ref) return false;
      return this.destroy(ref, name);
    });
  }

  /** Returns once the guest reports an address on each NIC the system asked a DHCP lease for (its owner line says which). */
  async powerOn(site: string, name: string): Promise<VmInfo> {
    const resolved = await this.guard('looking up the site', () => this.inventory.site(site));
    return this.waitForAddresses(resolved, await this.power(resolved, name, 'PowerOnVM_Task'), name);
  }

  async powerOff(site: string, name: string): Promise<void> {
    const resolved = await this.guard('looking up the site', () => this.inventory.site(site));
    await this.power(resolved, name, 'PowerOffVM_Task');
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

  private async checkNics(site: ResolvedSite, spec: CreateVmSpec) {
    const networks = spec.nics.map((n) => {
      const network = site.networks.get(n.network);
      if (!network) throw new PlatformError('unknown-network', `there is no network named ${n.network} on site ${spec.site}`);
      if (n.ip === 'dhcp' && !network.def.dhcp) {
        throw new PlatformError(
          'no-dhcp',
          `network ${n.network} has no DHCP; VM ${spec.name} needs a network with DHCP or a static address`,
        );
      }
      if (n.ip !== 'dhcp' && !isIP(n.ip))
        throw new PlatformError('invalid-spec', `${JSON.stringify(n.ip)} is neither "dhcp" nor an IP address`);
      return network;
    });
    for (const n of spec.nics.filter((x) => x.ip === 'dhcp')) {
      const free = (await this.getNetwork(n.network))?.freeAddresses ?? 0;
      if (free <= 0)
        throw new PlatformError('dhcp-exhausted', `the DHCP pool of network ${n.network} has no free address for VM ${spec.name}`);
    }
    return networks;
  }

  private async findVm(site: ResolvedSite, name: string): Promise<MoRef | null> {
    const all = await this.vim.listUnder(site.vmFolder, 'VirtualMachine', ['name']);
    return all.find((vm) => vm.props.get('name')?.text === name)?.obj ?? null;
  }

  /**
   * Powers off (if on) and destroys the VM `name`; false when it was already gone. A reference can
   * outlive its VM and name another one (vcsim, restarted, numbers its objects afresh): a VM of
   * another name is not touched.
   */
  private async destroy(ref: MoRef, name: string): Promise<boolean> {
    try {
      const props = (await this.vim.get(ref, ['name', 'runtime.powerState']))?.props;
      if (props?.get('name')?.text !== name) return false;
      const state = props.get('runtime.powerState')?.text;
      if (state === 'poweredOn') await this.ignoring('InvalidPowerState', () => this.task('PowerOffVM_Task', ref, {}));
      await this.task('Destroy_Task', ref, {});
      return true;
    } catch (err) {
      if (err instanceof VimFault && err.fault === 'ManagedObjectNotFound') return false;
      throw err;
    }
  }

  private async power(site: ResolvedSite, name: string, method: 'PowerOnVM_Task' | 'PowerOffVM_Task'): Promise<MoRef> {
    return this.guard(`${method === 'PowerOnVM_Task' ? 'powering on' : 'powering off'} VM ${name}`, async () => {
      const ref = await this.findVm(site, name);
      if (!ref) throw new PlatformError('unknown-vm', `there is no VM ${name} on site ${site.name}`);
      // already in that state: nothing to do (a repeated message)
      await this.ignoring('InvalidPowerState', () => this.task(method, ref, {}));
      return ref;
    });
  }

  /**
   * A powered-on VM as its guest reports it: the address of a NIC that asked for a DHCP lease is
   * the one the guest reports (guest.net, VMware Tools) after power-on, awaited up to
   * guestIpTimeoutMs. `leased`: which NICs asked; by default, those the owner line records without
   * a static address (a VM without one is not waited for: its guest may have no tools).
   */
  private async waitForAddresses(site: ResolvedSite, ref: MoRef, name: string, leased?: boolean[]): Promise<VmInfo> {
    const timeoutMs = this.options.guestIpTimeoutMs ?? 300_000;
    const deadline = Date.now() + timeoutMs;
    for (let wait = 50; ; wait = Math.min(wait * 2, 2000)) {
      const props = await this.guard(`waiting for the address of VM ${name}`, () => this.vim.get(ref, VM_PATHS));
      if (!props) throw new PlatformError('unknown-vm', `VM ${name} vanished from site ${site.name} while its address was awaited`);
      const vm = toVmInfo(site, props);
      const asked = leased ?? (readOwnerMark(props.props.get('config.annotation')?.text)?.ips ?? []).map((ip) => ip === null);
      const missing = vm.nics.find((n, i) => asked[i] && !n.ip);
      if (!missing) return vm;
      if (Date.now() >= deadline) {
        throw new PlatformError(
          'platform-error',
          `VM ${name} is powered on but its guest reported no address on network ${missing.network} ` +
            `within ${timeoutMs / 1000} s (is a DHCP server on that port group, and are VMware Tools running in the guest?)`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }

  private task(method: string, self: MoRef, args: SoapObject) {
    return this.vim.runTask(method, self, args, this.options.taskTimeoutMs ?? 600_000);
  }

  private async ignoring<T>(fault: string, fn: () => Promise<T>): Promise<T | undefined> {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof VimFault && err.fault === fault) return undefined;
      throw err;
    }
  }

  private async guard<T>(doing: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw toPlatformError(err, doing);
    }
  }
}
