import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { Platform, VmInfo } from '@jss/platform';

export const MiB = 1 << 20;
export const GiB = 1024 * MiB;

export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** An image of `sizeBytes` that is all zeros except random data in the given 1 MiB blocks. */
export async function sparseImage(file: string, sizeBytes: number, dataBlocks: number[]): Promise<void> {
  const fh = await open(file, 'w');
  try {
    await fh.truncate(sizeBytes);
    for (const b of dataBlocks) await fh.write(randomBytes(Math.min(MiB, sizeBytes - b * MiB)), 0, undefined, b * MiB);
  } finally {
    await fh.close();
  }
}

/** sha256 of each disk of a VM, read from its datastore (folder or mount path). */
export async function diskHashes(platform: Platform, vm: VmInfo): Promise<string[]> {
  return Promise.all(vm.disks.map((d) => sha256File(platform.diskFile(d.path))));
}

/** Inventory a test compares before and after a refused command. */
export async function inventorySnapshot(platform: Platform) {
  return {
    vms: await platform.listVms(),
    networks: await platform.listNetworks(),
    datastores: await platform.listDatastores(),
  };
}
