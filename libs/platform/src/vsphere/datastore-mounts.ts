import { stat, truncate } from 'node:fs/promises';
import { isAbsolute, join, normalize, sep } from 'node:path';
import { FileDiskHandle } from '../file-disk-handle';
import { PlatformError, type DiskHandle } from '../platform';
import type { SiteFile } from './site-file';
import type { DiskDevice } from './vm-props';

/**
 * Datastore paths ("[ds] vm/vm.vmdk") as local files under the datastore's mount path. A thin disk
 * is a descriptor (vm.vmdk) and a flat extent (vm-flat.vmdk) holding the disk's bytes at their
 * offsets: that extent is what the rehydrators write.
 */
export class DatastoreMounts {
  private readonly mounts = new Map<string, string>();

  constructor(site: SiteFile) {
    for (const s of Object.values(site.sites)) for (const d of s.datastores) this.mounts.set(d.vsphere ?? d.name, d.mountPath);
  }

  flatFile(path: string): string {
    const file = this.file(path);
    return file.endsWith('.vmdk') ? `${file.slice(0, -'.vmdk'.length)}-flat.vmdk` : file;
  }

  async open(path: string): Promise<DiskHandle> {
    const file = this.flatFile(path);
    try {
      return await FileDiskHandle.open(file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      throw new PlatformError('unknown-disk', `there is no disk file ${file} for ${path} (is the datastore mounted there?)`);
    }
  }

  /**
   * A thin disk's flat file has the disk's length (NFS: a sparse file). vcsim creates it empty, so
   * a shorter one is extended; one that is not reachable here is left to the rehydrators' mounts.
   */
  async extendFlatFiles(disks: DiskDevice[]): Promise<void> {
    for (const disk of disks) {
      const file = this.flatFile(disk.fileName);
      const size = await stat(file).then(
        (s) => s.size,
        () => null,
      );
      if (size !== null && size < disk.sizeBytes) await truncate(file, disk.sizeBytes);
    }
  }

  private file(path: string): string {
    const close = path.indexOf('] ');
    const mount = path.startsWith('[') && close > 0 ? this.mounts.get(path.slice(1, close)) : undefined;
    const relative = normalize(path.slice(close + 2));
    if (!mount || isAbsolute(relative) || relative.split(sep).includes('..')) {
      throw new PlatformError('unknown-disk', `${JSON.stringify(path)} is not a disk path on a datastore of the site file`);
    }
    return join(mount, relative);
  }
}
