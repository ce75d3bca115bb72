import { findDisk, Manifest } from './manifest';

/**
 * 256 MiB of a disk per range job: about a second of work for one rehydrator, so several workers
 * share a large disk and a crashed or cancelled job redoes little, while the per-job overhead
 * (a message, opening and syncing the disk) stays negligible. A smaller disk is one job.
 */
export const DEFAULT_RANGE_BYTES = 256 << 20;

export interface BlockRange {
  firstBlock: number;
  blockCount: number;
  /** logical bytes of the range (the last block of a disk may be short) */
  bytes: number;
}

/** Splits a disk of a point into consecutive ranges of at most `maxBlocksPerRange` blocks. */
export function splitRanges(manifest: Manifest, vm: string, diskIndex: number, opts: { maxBlocksPerRange?: number } = {}): BlockRange[] {
  const disk = findDisk(manifest, vm, diskIndex);
  const max = opts.maxBlocksPerRange ?? Math.max(1, Math.floor(DEFAULT_RANGE_BYTES / manifest.blockSize));
  if (!Number.isInteger(max) || max < 1) throw new RangeError(`maxBlocksPerRange must be a positive integer, got ${max}`);
  const ranges: BlockRange[] = [];
  for (let firstBlock = 0; firstBlock < disk.blocks.length; firstBlock += max) {
    const blockCount = Math.min(max, disk.blocks.length - firstBlock);
    const start = firstBlock * manifest.blockSize;
    const end = Math.min(disk.sizeBytes, (firstBlock + blockCount) * manifest.blockSize);
    ranges.push({ firstBlock, blockCount, bytes: end - start });
  }
  return ranges;
}
