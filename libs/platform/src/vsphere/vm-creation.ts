import { isIP } from 'node:net';
import { PlatformError, type CreateVmSpec, type VmInfo } from '../platform';
import { assertValidName } from '../valid-name';
import type { DatastoreMounts } from './datastore-mounts';
import { DiskAdoption } from './disk-adoption';
import type { Inventory, ResolvedSite } from './inventory';
import { ownerAnnotation } from './owner-mark';
import type { SiteFile } from './site-file';
import { VcenterVms, guard } from './vcenter-vms';
import type { Vim } from './vim';
import { diskDevices } from './vm-props';
import { newDisk, nic, scsiController } from './vm-spec';
import { MoRef, moRef, type SoapObject } from './xml';

/** What creating a VM asks of the rest of the platform: whether a name is taken, a network's free DHCP addresses. */
export interface CreationLookups {
  vmExists(site: string, name: string): Promise<boolean>;
  freeAddresses(network: string): Promise<number>;
  vmInfo(site: string, name: string): Promise<VmInfo>;
}

type Sized = { annotation: string; numCPUs: number; memoryMB: number };
type Placement = { site: ResolvedSite; cluster: { resourcePool: MoRef }; datastore: { ref: MoRef; vsphere: string } };

/**
 * A VM created on vCenter: the spec checked against the site (cluster, datastore, networks with
 * DHCP and free addresses, the name free), the VM made (CreateVM_Task, or the RocVA cloned from its
 * template), then given its disks (new thin ones, or an RVM's adopted) and powered on; a VM that a
 * later step fails on is destroyed, so none is left half made.
 */
export class VmCreation {
  private readonly adoption: DiskAdoption;

  constructor(
    private readonly vim: Vim,
    private readonly vms: VcenterVms,
    private readonly inventory: Inventory,
    private readonly mounts: DatastoreMounts,
    private readonly site: SiteFile,
    private readonly lookups: CreationLookups,
  ) {
    this.adoption = new DiskAdoption(vim, (method, self, args) => vms.task(method, self, args));
  }

  async create(spec: CreateVmSpec): Promise<VmInfo> {
    assertValidName('VM', spec.name);
    const placement = await this.place(spec);
    const networks = await this.checkNics(placement.site, spec);
    if (await this.lookups.vmExists(spec.site, spec.name))
      throw new PlatformError('vm-exists', `a VM named ${spec.name} already exists on site ${spec.site}`);
    const nics = networks.map((n, i) => nic(i, n.backing));
    const sized = this.sized(spec);
    const { created, template } = await this.make(spec, placement, sized, nics);
    try {
      await guard(`creating VM ${spec.name}`, async () => {
        // vcsim ignores a clone's config (vCenter applies it): set it again, with the NICs
        if (template) await this.vms.task('ReconfigVM_Task', created, { spec: { ...sized, deviceChange: nics } });
        await this.adoption.adopt(placement.site, created, spec, placement.datastore.vsphere);
        const props = await this.vim.get(created, ['config.hardware.device']);
        await this.mounts.extendFlatFiles(diskDevices(props?.props.get('config.hardware.device')));
        if (spec.powerOn) await this.vms.task('PowerOnVM_Task', created, {});
      });
      if (spec.powerOn) {
        const leased = spec.nics.map((n) => n.ip === 'dhcp');
        return await this.vms.waitForAddresses(placement.site, created, spec.name, leased);
      }
    } catch (err) {
      await this.vms.destroy(created, spec.name).catch(() => undefined);
      throw err;
    }
    return this.lookups.vmInfo(spec.site, spec.name);
  }

  private async place(spec: CreateVmSpec): Promise<Placement> {
    const site = await guard('looking up the site', () => this.inventory.site(spec.site));
    const cluster = site.clusters.get(spec.cluster);
    if (!cluster) throw new PlatformError('unknown-cluster', `there is no cluster named ${spec.cluster} on site ${spec.site}`);
    const datastore = site.datastores.get(spec.datastore);
    if (!datastore) throw new PlatformError('unknown-datastore', `there is no datastore named ${spec.datastore} on site ${spec.site}`);
    return { site, cluster, datastore };
  }

  /** Size and owner line: the site file's size of a RocVA or of any other VM. */
  private sized(spec: CreateVmSpec): Sized {
    const ips = spec.nics.map((n) => (n.ip === 'dhcp' ? null : n.ip));
    const size = spec.owner?.kind === 'rocva' ? this.site.rocva : this.site.vm;
    return { annotation: ownerAnnotation(spec.owner, new Date().toISOString(), ips), numCPUs: size.cpus, memoryMB: size.memoryMB };
  }

  /** The VM itself: created with its new disks and NICs, or (a RocVA) cloned from its template. */
  private async make(spec: CreateVmSpec, { site, cluster, datastore }: Placement, sized: Sized, nics: SoapObject[]) {
    const doing = `creating VM ${spec.name}`;
    const template = spec.owner?.kind === 'rocva' ? this.site.rocva.template : undefined;
    const created = moRef(
      await guard(doing, async () => {
        if (!template) {
          const fresh = spec.disks.flatMap((d, index) => ('sizeBytes' in d ? [newDisk(datastore.vsphere, index, d.sizeBytes)] : []));
          // in the order of vim25's VirtualMachineConfigSpec
          const config = {
            name: spec.name,
            guestId: (spec.owner?.kind === 'rocva' ? this.site.rocva : this.site.vm).guestId,
            annotation: sized.annotation,
            files: { vmPathName: `[${datastore.vsphere}]` },
            numCPUs: sized.numCPUs,
            memoryMB: sized.memoryMB,
            deviceChange: [scsiController(), ...fresh, ...nics],
          };
          return this.vms.task('CreateVM_Task', site.vmFolder, { config, pool: cluster.resourcePool });
        }
        // the RocVA from its template: the template's disks, our size, owner line and NICs
        const source = await this.vms.find(site, template);
        if (!source)
          throw new PlatformError('platform-error', `${doing}: there is no RocVA template ${template} in datacenter ${spec.site}`);
        // the owner line goes with the clone itself, so that no unmarked RocVA can be left behind
        const cloneSpec = {
          location: { datastore: datastore.ref, pool: cluster.resourcePool },
          template: false,
          config: sized,
          powerOn: false,
        };
        return this.vms.task('CloneVM_Task', source, { folder: site.vmFolder, name: spec.name, spec: cloneSpec });
      }),
    );
    if (!created) throw new PlatformError('platform-error', `${doing}: vCenter gave no VM`);
    return { created, template };
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
      if ((await this.lookups.freeAddresses(n.network)) <= 0)
        throw new PlatformError('dhcp-exhausted', `the DHCP pool of network ${n.network} has no free address for VM ${spec.name}`);
    }
    return networks;
  }
}
