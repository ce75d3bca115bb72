import { Platform, VmInfo, diskIdentity } from '@jss/platform';
import { ImageSource, Manifest, ReplicaRepository, ReplicaWriter, generatedImage, sourceSize } from '@jss/replica';
import { createReadStream } from 'node:fs';
import { PROTECTED_SITE } from '@jss/recovery';

/**
 * A stand-in for the protection side of the product (not part of the recovery services): the
 * protected VMs of a domain on the simulated platform, and replication of their disks into the
 * object store as recovery points. Planned failover asks it for a final point; failback needs
 * points taken from the recovery site.
 */
export class Protection {
  constructor(
    private readonly platform: Platform,
    private readonly writer: ReplicaWriter,
    private readonly replica: ReplicaRepository,
  ) {}

  /** Creates the domain's VMs at the protected site (one disk each, holding the image) and replicates them. */
  async protect(domain: string, vms: Array<{ name: string; source: ImageSource }>, site = PROTECTED_SITE): Promise<Manifest> {
    for (const vm of vms) {
      const sizeBytes = await sourceSize(vm.source);
      const made =
        (await this.platform.getVm(site, vm.name)) ??
        (await this.platform.createVm({
          name: vm.name,
          site,
          cluster: `${site}-cluster`,
          datastore: `${site}-ds`,
          nics: [{ network: `${site}-net`, ip: 'dhcp' }],
          disks: [{ sizeBytes }],
          owner: null,
          powerOn: true,
        }));
      await this.fill(made, vm.name, vm.source);
    }
    return this.replicate(
      domain,
      site,
      vms.map((v) => v.name),
    );
  }

  /**
   * A new recovery point from the current disks of the domain's VMs at a site (the newest point's
   * VMs, or those named), marked as taken there. A disk whose identity is the one recorded when the
   * newest point was read from it at this site has not been written since: it is carried over, not
   * read again (the stand-in's change tracking). Beside the point, the origin of each disk whose
   * identity did not change while it was read (a failback may start from that disk: origins.ts).
   */
  async replicate(domain: string, site: string, names?: string[]): Promise<Manifest> {
    const vmNames = names ?? (await this.writerVms(domain));
    const found = await Promise.all(vmNames.map((n) => this.platform.getVm(site, n)));
    const missing = vmNames.filter((_, i) => !found[i]);
    if (missing.length) throw new Error(`VM ${missing.join(', ')} of domain "${domain}" is not at site "${site}"`);
    const vms = found as VmInfo[];
    const identities = () => Promise.all(vms.map((vm) => diskIdentity(this.platform, vm.disks[0].path)));
    const [before, origin, newest] = await Promise.all([
      identities(),
      this.replica.newestOrigin(domain, site),
      this.replica.newestPointId(domain),
    ]);
    const recorded = (vm: VmInfo) => (origin?.pointId === newest ? origin?.vms.find((v) => v.name === vm.name)?.disks[0] : undefined);
    const unchanged = vms.map((vm, i) => !!before[i] && recorded(vm)?.path === vm.disks[0].path && recorded(vm)?.identity === before[i]);
    const point = await this.writer.writePoint(
      domain,
      vms.filter((_, i) => !unchanged[i]).map((vm) => ({ name: vm.name, source: { file: this.diskFile(vm) } })),
      { site },
    );
    const after = await identities();
    const stable = vms.flatMap((vm, i) =>
      before[i] && before[i] === after[i] ? [{ name: vm.name, disks: [{ index: 0, path: vm.disks[0].path, identity: before[i]! }] }] : [],
    );
    await this.writer.recordOrigin(domain, { version: 1, pointId: point.id, site, vms: stable });
    return point;
  }

  private async writerVms(domain: string): Promise<string[]> {
    const newest = await this.replica.resolvePoint(domain);
    if (!newest) throw new Error(`unknown domain "${domain}"`);
    return newest.vms.map((v) => v.name);
  }

  private diskFile(vm: VmInfo): string {
    if (!this.platform.diskFile)
      throw new Error('the platform gives no access to disk files; this stand-in replication needs the simulated platform');
    return this.platform.diskFile(vm.disks[0].path);
  }

  private async fill(vm: VmInfo, name: string, source: ImageSource): Promise<void> {
    const disk = await this.platform.openDisk(vm.disks[0].path);
    try {
      let offset = 0;
      const chunks = 'file' in source ? createReadStream(source.file) : generatedImage(source.sizeBytes, source.seed, name, source.content);
      for await (const chunk of chunks as AsyncIterable<Buffer>) {
        if (chunk.some((b) => b !== 0)) await disk.write(chunk, offset);
        offset += chunk.length;
      }
      await disk.sync();
    } finally {
      await disk.close();
    }
  }
}
