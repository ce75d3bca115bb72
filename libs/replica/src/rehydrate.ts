import type { DiskHandle, DiskIoMode } from '@jss/platform';
import type { ObjectStore } from '@jss/store';
import pLimit from 'p-limit';
import { giveSlot, Slot, takeSlot, zeroSlot } from './aligned-slots';
import { BLOCK_SIZE_ALIGN, blockLengthOf, DEFAULT_BLOCK_SIZE } from './block-size';
import { forEachBounded } from './bounded';
import { fetchBlockInto } from './fetch-block';
import { sharedHashPool } from './hash-pool';
import { findDisk, Manifest } from './manifest';
import { splitRuns, RunWriter } from './run-writer';

export interface RehydrateOptions {
  store: ObjectStore;
  manifest: Manifest;
  vm: string;
  diskIndex: number;
  firstBlock: number;
  blockCount: number;
  /** a fresh sparse disk, or (with `previous`) one that holds the previous point's image */
  target: DiskHandle;
  /**
   * blocks read (and hashed) at once. Each holds a block-sized buffer from its read until its run
   * is written; the runs waiting to be written have buffers of their own (`rehydrationBuffers`),
   * so the reads in flight stay at `concurrency` while the disk writes, and a distant store's
   * latency is hidden by the reads alone.
   */
  concurrency: number;
  /** delta: the point the target already holds; blocks with the same hash are skipped */
  previous?: Manifest;
  signal?: AbortSignal;
  /** cumulative logical bytes done (skipped blocks count), at most every 200 ms and at the end */
  onProgress?: (bytesDone: number) => void;
  /**
   * Page-cache targets only: start a sync of the target (in the background, one at a time) after
   * every this many bytes written, so that the disk writes back while blocks are still read and
   * hashed instead of all at the final sync. 0 = only the final sync. Default DEFAULT_FLUSH_BYTES.
   * A direct-I/O target has nothing to write back: only the final sync.
   */
  flushEveryBytes?: number;
  /**
   * Called once every write is done and every buffer given back, before the final sync: from then
   * on the range needs neither reads nor memory, so a caller may start its next range (it reads
   * while this one's sync waits for the disk). Not called when the range fails.
   */
  onWritesDone?: () => void;
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
  /** writes issued to the target (each a run of consecutive blocks) */
  writes: number;
}

const PROGRESS_INTERVAL_MS = 200;
/** Background syncs every 64 MiB written (page-cache targets): see `flushEveryBytes` and bench/README.md. */
export const DEFAULT_FLUSH_BYTES = 64 << 20;
/** Consecutive blocks to write are coalesced into one write of up to this many bytes (bench/README.md). */
export const MAX_WRITE_BYTES = 8 << 20;
/** Coalesced writes in flight at once: direct I/O overlaps two; the page cache serialises them anyway (bench/README.md). */
const WRITES_IN_FLIGHT: Record<DiskIoMode, number> = { direct: 2, 'page-cache': 1 };

/** Blocks coalesced into one run: up to MAX_WRITE_BYTES, at most half the reads in flight. */
const runBlocksOf = (concurrency: number, blockSize: number) =>
  Math.max(1, Math.min(Math.floor(MAX_WRITE_BYTES / blockSize), Math.floor(concurrency / 2)));

/**
 * Block buffers one range may hold at once: its `concurrency` reads, plus two runs' worth of
 * verified blocks (one run being written, one being filled), which would otherwise hold reads back
 * while the disk writes (bench/README.md, "Object stores").
 */
export function rehydrationBuffers(concurrency: number, blockSize = DEFAULT_BLOCK_SIZE): number {
  return concurrency + 2 * runBlocksOf(concurrency, blockSize);
}

/**
 * Writes blocks [firstBlock, firstBlock + blockCount) of a disk of a recovery point into `target`,
 * each verified against its sha256, then fsyncs the target. Up to `concurrency` blocks are read at
 * once (and up to rehydrationBuffers() held), each through its own stages: read into a reused
 * page-aligned buffer (`getInto`, no allocation), sha256 on a worker thread (in shared memory:
 * nothing copied). Consecutive verified blocks are written together (runs of up to
 * MAX_WRITE_BYTES, one writev each), past the page cache when the target does direct I/O; else
 * through it, with a background sync every `flushEveryBytes`. Zero blocks of a fresh disk are never written (it stays sparse). On a missing
 * or corrupt block it throws BlockVerificationError and writes nothing more; on abort, an AbortError.
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
  if (!Number.isInteger(opts.concurrency) || opts.concurrency < 1) {
    throw new RangeError(`concurrency must be a positive integer, got ${opts.concurrency}`);
  }
  const mode = target.ioMode ?? 'page-cache';
  const flushEvery = mode === 'direct' ? 0 : (opts.flushEveryBytes ?? DEFAULT_FLUSH_BYTES);
  if (!(flushEvery >= 0)) throw new RangeError(`flushEveryBytes must be >= 0, got ${flushEvery}`);
  const before = previousBlocks(opts);
  const blockSize = manifest.blockSize;
  const result: RehydrateResult = {
    bytesWritten: 0,
    bytesSkippedZero: 0,
    bytesSkippedUnchanged: 0,
    blocksRead: 0,
    bytesRead: 0,
    blocksZero: 0,
    blocksUnchanged: 0,
    writes: 0,
  };
  const progress = progressReporter(opts.onProgress);
  const flusher = backgroundFlusher(target, flushEvery);
  // a run waits in memory until all its blocks are verified, then while it is written
  const runBlocks = runBlocksOf(opts.concurrency, blockSize);
  const writer = new RunWriter(
    target,
    WRITES_IN_FLIGHT[mode],
    (bytes) => {
      result.bytesWritten += bytes;
      result.writes++;
      flusher.wrote(bytes);
      progress.add(bytes); // a written block counts once its run is written
    },
    () => flusher.beforeWrite(),
  );
  const runs = splitRuns(disk, firstBlock, blockCount, blockSize, runBlocks, before);
  const hasher = sharedHashPool();
  // slots of this call: at most rehydrationBuffers() exist, each owned by one block in flight;
  // of those, `concurrency` at most are being read
  const reads = pLimit(opts.concurrency);
  const free: Slot[] = [];
  const held = new Set<Slot>();
  const indexes = Array.from({ length: blockCount }, (_, i) => firstBlock + i);
  try {
    await forEachBounded(
      indexes,
      rehydrationBuffers(opts.concurrency, blockSize),
      async (block, stop) => {
        const expected = disk.blocks[block];
        const length = blockLengthOf(disk.sizeBytes, blockSize, block);
        const run = runs.get(block);
        if (expected === null) {
          result.blocksZero++;
          // a fresh disk already reads as zeros; a delta target may hold old data there
          if (run) await writer.put(run, block, zeroSlot(blockSize).view.subarray(0, length), stop);
          else {
            result.bytesSkippedZero += length;
            progress.add(length);
          }
        } else if (!run) {
          result.blocksUnchanged++;
          result.bytesSkippedUnchanged += length;
          progress.add(length);
        } else {
          const ref = { domain: manifest.domain, vm, diskIndex, block, expected };
          // a buffer is taken when the read starts: blocks waiting for their turn to be read hold none
          const read = await reads(async () => {
            if (stop.aborted) return undefined;
            const slot = free.pop() ?? takeSlot(blockSize);
            held.add(slot);
            return { slot, size: await fetchBlockInto(store, ref, length, slot.view, hasher) };
          });
          if (!read) return;
          const { slot, size } = read;
          result.blocksRead++;
          result.bytesRead += size;
          const written = await writer.put(run, block, slot.view.subarray(0, length), stop);
          // the slot is free for this call's next block only once its run is written (or never will be)
          if (written) {
            held.delete(slot);
            free.push(slot);
          }
        }
      },
      opts.signal,
    );
  } finally {
    await writer.idle(); // no write may still be reading a slot, or run behind the caller's close()
    await flusher.idle(); // never leave a sync running behind the caller's close()
    for (const slot of [...free, ...held]) giveSlot(slot);
  }
  flusher.throwIfFailed();
  opts.onWritesDone?.();
  await target.sync();
  progress.end();
  return result;
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

/**
 * Makes a new worker ready for its first range: starts the hash threads and faults in the block
 * buffers of `blocksInFlight` blocks (on this kind of VM a fresh page is a host fault: some 16 MiB
 * of first-touched buffers and the threads' start-up cost the first range 50–90 ms).
 */
export async function warmUpRehydration(blocksInFlight: number, blockSize = DEFAULT_BLOCK_SIZE): Promise<void> {
  const slots = Array.from({ length: blocksInFlight }, () => takeSlot(blockSize));
  try {
    for (const s of slots) s.view.fill(0);
    const pool = sharedHashPool();
    await Promise.all(slots.slice(0, pool.size).map((s) => pool.hash(s.view.subarray(0, BLOCK_SIZE_ALIGN))));
  } finally {
    slots.forEach(giveSlot);
  }
}
