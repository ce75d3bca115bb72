import type { DiskHandle } from '@jss/platform';
import { ObjectNotFoundError, type ObjectStore } from '@jss/store';
import { giveBlockBuffer, takeBlockBuffer } from './block-buffers';
import { blockLengthOf } from './block-size';
import { forEachBounded } from './bounded';
import { BlockRef, BlockVerificationError } from './errors';
import { BlockHasher, HashedBuffer, sharedHashPool } from './hash-pool';
import { blockKey } from './keys';
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
  /** blocks in flight at once (each holds one block-sized buffer until it is written) */
  concurrency: number;
  /** delta: the point the target already holds; blocks with the same hash are skipped */
  previous?: Manifest;
  signal?: AbortSignal;
  /** cumulative logical bytes done (skipped blocks count), at most every 200 ms and at the end */
  onProgress?: (bytesDone: number) => void;
  /**
   * Start a sync of the target (in the background, one at a time) after every this many bytes
   * written, so that the disk writes back while blocks are still read and hashed instead of all
   * at the final sync. 0 = only the final sync. Default DEFAULT_FLUSH_BYTES.
   */
  flushEveryBytes?: number;
  /** where blocks are hashed; default the process-wide worker-thread pool */
  hasher?: BlockHasher;
  /** writes into the target at once (default 1; see boundedWriter) */
  writesInFlight?: number;
  /** as many writes at once as blocks in flight (the pipeline before issue #5; for comparison) */
  parallelWrites?: boolean;
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
/** Background syncs every 64 MiB written: see `flushEveryBytes` and bench/README.md. */
export const DEFAULT_FLUSH_BYTES = 64 << 20;

/**
 * Writes blocks [firstBlock, firstBlock + blockCount) of a disk of a recovery point into `target`,
 * each verified against its sha256, then fsyncs the target. Up to `concurrency` blocks are in
 * flight, each through its own stages: read into a reused block buffer (`getInto`, no allocation),
 * sha256 on a worker thread (the buffer is transferred, not copied), positioned write. Meanwhile
 * the target is synced in the background every `flushEveryBytes`, so the disk writes back while
 * the next blocks are read and hashed. On a missing or corrupt block it throws
 * BlockVerificationError and writes nothing more; on abort, an AbortError.
 */
export async function rehydrateRange(opts: RehydrateOptions): Promise<RehydrateResult> {
  const { store, manifest, vm, diskIndex, firstBlock, blockCount, target } = opts;
  const disk = findDisk(manifest, vm, diskIndex);
  if (
    !Number.isInteger(firstBlock) ||
    !Number.isInteger(blockCount) ||
    firstBlock < 0 ||
    blockCount < 0 ||
    firstBlock + blockCount > disk.blocks.length
  ) {
    throw new RangeError(`blocks ${firstBlock}+${blockCount} are outside disk ${diskIndex} of VM "${vm}" (${disk.blocks.length} blocks)`);
  }
  if (target.sizeBytes < disk.sizeBytes) {
    throw new RangeError(
      `target disk of ${target.sizeBytes} bytes is smaller than disk ${diskIndex} of VM "${vm}" (${disk.sizeBytes} bytes)`,
    );
  }
  const flushEvery = opts.flushEveryBytes ?? DEFAULT_FLUSH_BYTES;
  if (!(flushEvery >= 0)) throw new RangeError(`flushEveryBytes must be >= 0, got ${flushEvery}`);
  const before = previousBlocks(opts);
  const hasher = opts.hasher ?? sharedHashPool();
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
  const flusher = backgroundFlusher(target, flushEvery);
  const writeAt = boundedWriter(target, opts.parallelWrites ? opts.concurrency : (opts.writesInFlight ?? 1));
  // block buffers of this call: at most `concurrency` exist, each owned by one block in flight
  const free: ArrayBuffer[] = [];
  const indexes = Array.from({ length: blockCount }, (_, i) => firstBlock + i);
  try {
    await forEachBounded(
      indexes,
      opts.concurrency,
      async (block, stop) => {
        const expected = disk.blocks[block];
        const length = blockLengthOf(disk.sizeBytes, manifest.blockSize, block);
        const write = async (data: Uint8Array) => {
          if (stop.aborted) return; // another block failed or the job was cancelled: write nothing more
          flusher.beforeWrite(); // stops here if a background sync failed: the disk cannot be trusted
          await writeAt(data, block * manifest.blockSize);
          result.bytesWritten += data.length;
          flusher.wrote(data.length);
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
          const ref = { domain: manifest.domain, vm, diskIndex, block, expected };
          let buffer: ArrayBuffer = free.pop() ?? takeBlockBuffer(manifest.blockSize);
          try {
            const size = await readBlock(store, ref, buffer);
            if (size > buffer.byteLength) throw new BlockVerificationError(ref, `is ${size} bytes long, expected ${length}`);
            const hashed: HashedBuffer = await hasher.hash(buffer, size);
            buffer = hashed.buffer;
            if (hashed.hash !== expected)
              throw new BlockVerificationError(ref, `failed verification: its content hashes to ${hashed.hash}`);
            if (size !== length) throw new BlockVerificationError(ref, `is ${size} bytes long, expected ${length}`);
            result.blocksRead++;
            result.bytesRead += size;
            await write(new Uint8Array(buffer, 0, length));
          } finally {
            // a buffer lost to a failed hash thread is simply not given back
            if (buffer.byteLength > 0) free.push(buffer);
          }
        }
        progress.add(length);
      },
      opts.signal,
    );
  } finally {
    await flusher.idle(); // never leave a sync running behind the caller's close()
    for (const buffer of free) giveBlockBuffer(buffer);
  }
  flusher.throwIfFailed();
  await target.sync();
  progress.end();
  return result;
}

/** Reads a block's object into `buffer` (without an allocation when the store can); its size. */
async function readBlock(store: ObjectStore, ref: BlockRef, buffer: ArrayBuffer): Promise<number> {
  const key = blockKey(ref.domain, ref.expected);
  try {
    if (store.getInto) return await store.getInto(key, new Uint8Array(buffer));
    const data = await store.get(key);
    if (data.length <= buffer.byteLength) new Uint8Array(buffer).set(data);
    return data.length;
  } catch (err) {
    if (err instanceof ObjectNotFoundError) throw new BlockVerificationError(ref, 'is missing from the object store');
    throw err;
  }
}

/**
 * At most `limit` writes into the target at once (1 by default), in the order blocks become
 * ready. Writes into one file serialise on its inode lock anyway; more in flight make the waiting
 * threads spin on that lock (measured: a fifth of a rehydrator's CPU time in rwsem_spin_on_owner
 * under ext4), CPU time the hashing needs.
 */
function boundedWriter(target: DiskHandle, limit: number) {
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`writesInFlight must be a positive integer, got ${limit}`);
  let running = 0;
  const waiting: Array<() => void> = [];
  return async (data: Uint8Array, at: number): Promise<void> => {
    if (running >= limit) await new Promise<void>((resolve) => waiting.push(resolve));
    else running++;
    try {
      await target.write(data, at);
    } finally {
      const next = waiting.shift();
      if (next)
        next(); // hand the slot over
      else running--;
    }
  };
}

/**
 * Syncs the target in the background once every `every` bytes written, one sync at a time, so
 * the final sync finds little left to write back. A sync that is due starts before the next
 * write: the last write of a range is followed by the final sync only, not by two at once. A
 * failed background sync fails the range.
 */
function backgroundFlusher(target: DiskHandle, every: number) {
  let sinceLast = 0;
  let running: Promise<void> | undefined;
  let failure: { error: unknown } | undefined;
  const throwIfFailed = () => {
    if (failure) throw failure.error;
  };
  return {
    beforeWrite() {
      throwIfFailed();
      if (every <= 0 || sinceLast < every || running) return;
      sinceLast = 0;
      running = target.sync().then(
        () => void (running = undefined),
        (error: unknown) => {
          failure ??= { error };
          running = undefined;
        },
      );
    },
    wrote(bytes: number) {
      sinceLast += bytes;
    },
    idle: () => running,
    throwIfFailed,
  };
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
