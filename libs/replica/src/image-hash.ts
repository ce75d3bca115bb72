import { createHash } from 'node:crypto';
import type { ObjectStore } from '@jss/store';
import { blockLengthOf } from './block-size';
import { fetchBlock } from './fetch-block';
import { findDisk, Manifest } from './manifest';
import { zeroBytes } from './zeros';

/** sha256 of the disk image a point describes, computed from the store without writing the image
 *  (to compare a recovered disk with its recovery point). Blocks are verified on the way. */
export async function imageSha256(store: ObjectStore, manifest: Manifest, vm: string, diskIndex: number): Promise<string> {
  const disk = findDisk(manifest, vm, diskIndex);
  const hash = createHash('sha256');
  for (const [block, expected] of disk.blocks.entries()) {
    const length = blockLengthOf(disk.sizeBytes, manifest.blockSize, block);
    hash.update(
      expected === null ? zeroBytes(length) : await fetchBlock(store, { domain: manifest.domain, vm, diskIndex, block, expected }, length),
    );
  }
  return hash.digest('hex');
}
