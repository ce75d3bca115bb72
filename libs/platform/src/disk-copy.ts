import { constants, promises as fs } from 'node:fs';
import type { Platform } from './platform';

/** Read and compared for zeros in pieces of this size: a copy stays as sparse as its original, to this grain. */
const ZERO_GRAIN = 64 << 10;
const CHUNK = 8 << 20;
const ZEROS = Buffer.alloc(ZERO_GRAIN);

/**
 * A disk file's identity now: inode, size, birth, modification and change times (not the device,
 * which differs between hosts that mount the same datastore). Any write
 * to the file changes its change time, replacing the file changes its inode or birth time; null
 * when there is no such file. (File times tick with the kernel's clock: a write within the same few
 * milliseconds as an identity taken just before it may keep the same identity; the points of a
 * planned failover are read from powered-off VMs.)
 */
export async function fileIdentity(file: string): Promise<string | null> {
  try {
    const s = await fs.stat(file, { bigint: true });
    return [s.ino, s.size, s.birthtimeNs, s.mtimeNs, s.ctimeNs].join(':');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

/** The identity of a VM disk as its platform holds it (the image file, or a vSphere disk's flat file on its mount). */
export const diskIdentity = (platform: Platform, path: string): Promise<string | null> => fileIdentity(platform.diskFile(path));

export interface DiskCopy {
  /** bytes written to the copy (0 for a reflink, whose blocks are shared until written) */
  bytesCopied: number;
  reflink: boolean;
}

/**
 * Copies the bytes of disk `from` into disk `to` (a new, empty disk of the same size): a reflink
 * where the file system has them (XFS, Btrfs: instant, blocks shared until written), else every
 * non-zero piece written at its offset (the copy stays sparse) and synced.
 */
export async function copyDisk(platform: Platform, from: string, to: string): Promise<DiskCopy> {
  const source = platform.diskFile(from);
  const target = platform.diskFile(to);
  const [a, b] = await Promise.all([fs.stat(source), fs.stat(target)]);
  if (a.size !== b.size) throw new Error(`disk ${from} is ${a.size} bytes, ${to} is ${b.size}: not a copy of the same size`);
  // beside the target, then renamed over it: a failed clone removes the file it was cloning into
  const clone = `${target}.clone`;
  try {
    await fs.copyFile(source, clone, constants.COPYFILE_FICLONE_FORCE);
    await fs.rename(clone, target);
    return { bytesCopied: 0, reflink: true };
  } catch {
    await fs.rm(clone, { force: true }); // no reflinks on this file system (ext4, NFS): copied below
  }
  const input = await fs.open(source, 'r');
  const output = await platform.openDisk(to);
  let bytesCopied = 0;
  try {
    const buffer = Buffer.allocUnsafe(CHUNK);
    for (let offset = 0; offset < a.size; offset += CHUNK) {
      const { bytesRead } = await input.read(buffer, 0, Math.min(CHUNK, a.size - offset), offset);
      for (const run of nonZeroRuns(buffer.subarray(0, bytesRead))) {
        await output.write(run.data, offset + run.at);
        bytesCopied += run.data.length;
      }
    }
    await output.sync();
  } finally {
    await Promise.all([input.close(), output.close()]);
  }
  return { bytesCopied, reflink: false };
}

/** Makes a disk read as zeros again (its file cut to nothing and back to its size: sparse, no data). */
export async function emptyDisk(platform: Platform, path: string): Promise<void> {
  const file = platform.diskFile(path);
  const { size } = await fs.stat(file);
  await fs.truncate(file, 0);
  await fs.truncate(file, size);
}

/** Consecutive non-zero pieces of a buffer, each as one run (the last piece may be short). */
function nonZeroRuns(data: Buffer): Array<{ at: number; data: Buffer }> {
  const runs: Array<{ at: number; data: Buffer }> = [];
  let start = -1;
  for (let at = 0; at < data.length; at += ZERO_GRAIN) {
    const piece = data.subarray(at, at + ZERO_GRAIN);
    const zero = piece.equals(ZEROS.subarray(0, piece.length));
    if (!zero && start < 0) start = at;
    if (zero && start >= 0) {
      runs.push({ at: start, data: data.subarray(start, at) });
      start = -1;
    }
  }
  if (start >= 0) runs.push({ at: start, data: data.subarray(start) });
  return runs;
}
