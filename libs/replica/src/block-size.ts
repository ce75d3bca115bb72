import { z } from 'zod';

/**
 * 1 MiB blocks: the granularity of change tracking and deduplication. A small change re-reads
 * and re-stores only the 1 MiB blocks it touches (with 4 MiB blocks a 1% delta of scattered
 * writes costs up to 4x more), while a 2 GiB disk is still only 2,048 objects and each get is
 * large enough for an object store's per-request latency to be amortised. Each domain records
 * its block size, so a domain can be given another one.
 */
export const DEFAULT_BLOCK_SIZE = 1 << 20;
/** Multiples of 4 KiB keep every block write aligned to disk sectors and pages. */
export const BLOCK_SIZE_ALIGN = 4096;
/** Whole blocks are held in memory (one buffer per block in flight while rehydrating). */
export const MAX_BLOCK_SIZE = 64 << 20;

export const blockSizeSchema = z.number().int().positive().multipleOf(BLOCK_SIZE_ALIGN).max(MAX_BLOCK_SIZE);

export function assertBlockSize(blockSize: number): void {
  if (!blockSizeSchema.safeParse(blockSize).success) {
    throw new RangeError(`invalid block size ${blockSize}: must be a multiple of ${BLOCK_SIZE_ALIGN} bytes, at most ${MAX_BLOCK_SIZE}`);
  }
}

export const blockCountOf = (sizeBytes: number, blockSize: number): number => Math.ceil(sizeBytes / blockSize);

/** Length of block `index`: blockSize except for a short last block. */
export const blockLengthOf = (sizeBytes: number, blockSize: number, index: number): number =>
  Math.min(blockSize, sizeBytes - index * blockSize);
