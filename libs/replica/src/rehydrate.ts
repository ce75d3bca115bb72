import type { DiskHandle } from '@jss/platform';
import type { ObjectStore } from '@jss/store';
import { blockLengthOf } from './block-size';
import { forEachBounded } from './bounded';
import { fetchBlock } from './fetch-block';
import { findDisk, Manifest } from './manifest';
import { zeroBytes } from './zeros';

export interface RehydrateOptions {
  store: ObjectStore;
  manifest: Manifest;
  vm: string;
  diskIndex: number;
  firstBlock: number;
  blockCount: number;
  /** a fresh sparse disk, or (with `previous`) one that holds the previous point's image */
  target: DiskHandle;
  /** blocks in flight at once (each costs up to 2 x blockSize of memory while it is hashed) */
  concurrency: number;
  /** delta: the point the target already holds; blocks with the same hash are skipped */
  previous?: Manifest;
  signal?: AbortSignal;
  /** cumulative logical bytes done (skipped blocks count), at most every 200 ms and at the end */
  onProgress?: (bytesDone: number) => void;
}

export interface RehydrateResult {
  /** bytes written to the target, zero fills of a delta included */
  bytesWritten: number;
  /** bytes of all-zero blocks left as they were (holes of a fresh disk) */
  bytesSkippedZero: number;
  /** bytes of blocks the target already held (delta) */
  bytesSkippedUnchanged: number;
  blocksRead: number;
  bytesRead: number;
  /** all-zero blocks of the range, written or not */
  blocksZero: number;
  blocksUnchanged: number;
}

const PROGRESS_INTERVAL_MS = 200;

/**
 * Writes blocks [firstBlock, firstBlock + blockCount) of a disk of a recovery point into `target`,
 * each verified against its sha256, then fsyncs the target. Up to `concurrency` blocks are in
 * flight, their reads, hashing (threadpool) and writes overlapping. On a missing or corrupt block
 * it throws BlockVerificationError and writes nothing more; on abort, an AbortError.
 */
export async function rehydrateRange(opts: RehydrateOptions): Promise<RehydrateResult> {
  const { store, manifest, vm, diskIndex, firstBlock, blockCount, target } = opts;
  const disk = findDisk(manifest, vm, diskIndex);
  if (!Number.isInteger(firstBlock) || !Number.isInteger(blockCount) || firstBlock < 0 || blockCount < 0 || firstBlock + blockCount > disk.blocks.length) {
    throw new RangeError(`blocks ${firstBlock}+${blockCount} are outside disk ${diskIndex} of VM "${vm}" (${disk.blocks.length} blocks)`);
  }
  if (target.sizeBytes < disk.sizeBytes) {
    throw new RangeError(`target disk of ${target.sizeBytes} bytes is smaller than disk ${diskIndex} of VM "${vm}" (${disk.sizeBytes} bytes)`);
  }
  const before = previousBlocks(opts);
  const result: RehydrateResult = {
    bytesWritten: 0,
    bytesSkippedZero: 0,
    bytesSkippedUnchanged: 0,
    blocksRead: 0,
    bytesRead: 0,
    blocksZero: 0,
    blocksUnchanged: 0,
  };
  const progress = progressReporter(opts.onProgress);

  const indexes = Array.from({ length: blockCount }, (_, i) => firstBlock + i);
  await forEachBounded(
    indexes,
    opts.concurrency,
    async (block, stop) => {
      const expected = disk.blocks[block];
      const length = blockLengthOf(disk.sizeBytes, manifest.blockSize, block);
      const write = async (data: Uint8Array) => {
        if (stop.aborted) return; // another block failed or the job was cancelled: write nothing more
        await target.write(data, block * manifest.blockSize);
        result.bytesWritten += data.length;
      };
      if (expected === null) {
        result.blocksZero++;
        // a fresh disk already reads as zeros; a delta target may hold old data there
        if (before?.[block]) await write(zeroBytes(length));
        else result.bytesSkippedZero += length;
      } else if (before?.[block] === expected) {
        result.blocksUnchanged++;
        result.bytesSkippedUnchanged += length;
      } else {
        const data = await fetchBlock(store, { domain: manifest.domain, vm, diskIndex, block, expected }, length);
        result.blocksRead++;
        result.bytesRead += data.length;
        await write(data);
      }
      progress.add(length);
    },
    opts.signal,
  );
  await target.sync();
  progress.end();
  return result;
}

/** The block hashes the target already holds, for a delta. */
function previousBlocks({ previous, manifest, vm, diskIndex }: RehydrateOptions): Array<string | null> | undefined {
  if (!previous) return undefined;
  if (previous.domain !== manifest.domain || previous.blockSize !== manifest.blockSize) {
    throw new Error(`cannot apply point ${manifest.id} as a delta over ${previous.id}: different domain or block size`);
  }
  // a VM or disk new in this point has nothing to skip
  return previous.vms.find((v) => v.name === vm)?.disks.find((d) => d.index === diskIndex)?.blocks;
}

function progressReporter(onProgress?: (bytesDone: number) => void) {
  let done = 0;
  let reportedAt = performance.now();
  return {
    add(bytes: number) {
      done += bytes;
      if (onProgress && performance.now() - reportedAt >= PROGRESS_INTERVAL_MS) {
        reportedAt = performance.now();
        onProgress(done);
      }
    },
    end: () => onProgress?.(done),
  };
}
