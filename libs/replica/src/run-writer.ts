import type { DiskHandle } from '@jss/platform';
import type { ManifestDisk } from './manifest';
import { blockLengthOf } from './block-size';

/** Consecutive blocks of a range written together, once all of them are verified. */
export interface Run {
  readonly first: number;
  readonly count: number;
  /** byte offset of its first block */
  readonly offset: number;
  readonly bytes: number;
  readonly views: Uint8Array[];
  filled: number;
  settled?: Deferred<boolean>;
}

/**
 * The blocks of [firstBlock, firstBlock + blockCount) that must be written, in runs of at most
 * `maxBlocks` consecutive ones: each block that is neither a zero block of a fresh disk nor, in a
 * delta, unchanged since `before`. A zero block whose previous content was not zero is written (zeros).
 */
export function splitRuns(
  disk: ManifestDisk,
  firstBlock: number,
  blockCount: number,
  blockSize: number,
  maxBlocks: number,
  before?: Array<string | null>,
): Map<number, Run> {
  const toWrite = (b: number) => (disk.blocks[b] === null ? Boolean(before?.[b]) : before?.[b] !== disk.blocks[b]);
  const runs = new Map<number, Run>();
  const end = firstBlock + blockCount;
  for (let b = firstBlock; b < end;) {
    if (!toWrite(b)) {
      b++;
      continue;
    }
    let count = 1;
    while (count < maxBlocks && b + count < end && toWrite(b + count)) count++;
    let bytes = 0;
    for (let i = b; i < b + count; i++) bytes += blockLengthOf(disk.sizeBytes, blockSize, i);
    const run: Run = { first: b, count, offset: b * blockSize, bytes, views: new Array<Uint8Array>(count), filled: 0 };
    for (let i = b; i < b + count; i++) runs.set(i, run);
    b += count;
  }
  return runs;
}

/**
 * Writes runs into the target as they fill up, at most `limit` at once, each as one writev where
 * the target has it. A run is not written once `stop` aborted (another block failed, or the job
 * was cancelled): its blocks are let go with `false`.
 */
export class RunWriter {
  private running = 0;
  private readonly waiting: Array<() => void> = [];
  private readonly inFlight = new Set<Promise<void>>();
  private readonly stopWaiters = new Set<() => void>();
  private watched: AbortSignal | undefined;

  constructor(
    private readonly target: DiskHandle,
    private readonly limit: number,
    private readonly onWritten: (bytes: number) => void,
    private readonly beforeWrite: () => void,
  ) {}

  /**
   * Puts a verified block into its run (writing the run when it is the last one missing); resolves
   * true once the run is written, false if it never will be (stop), and rejects if its write failed.
   * Until then the block's buffer belongs to the run.
   */
  put(run: Run, block: number, view: Uint8Array, stop: AbortSignal): Promise<boolean> {
    run.views[block - run.first] = view;
    const settled = (run.settled ??= deferred<boolean>());
    if (++run.filled === run.count) this.track(this.write(run, settled, stop));
    if (stop.aborted) return Promise.resolve(false);
    this.watch(stop);
    return new Promise<boolean>((resolve, reject) => {
      const onStop = () => resolve(false); // the run may still be being written: the caller keeps its buffer until idle()
      this.stopWaiters.add(onStop);
      settled.promise.then(
        (written) => (this.stopWaiters.delete(onStop), resolve(written)),
        (err: unknown) => (this.stopWaiters.delete(onStop), reject(err)),
      );
    });
  }

  /** One listener for all the blocks waiting (not one each: up to `concurrency` of them). */
  private watch(stop: AbortSignal): void {
    if (this.watched === stop) return;
    this.watched = stop;
    stop.addEventListener(
      'abort',
      () => {
        for (const letGo of this.stopWaiters) letGo();
        this.stopWaiters.clear();
      },
      { once: true },
    );
  }

  /** Resolves when no write is queued or running. */
  async idle(): Promise<void> {
    while (this.inFlight.size) await Promise.allSettled([...this.inFlight]);
  }

  private async write(run: Run, settled: Deferred<boolean>, stop: AbortSignal): Promise<void> {
    if (this.running >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.running++;
    try {
      if (stop.aborted) return settled.resolve(false);
      this.beforeWrite();
      if (this.target.writev) await this.target.writev(run.views, run.offset);
      else for (let i = 0, at = run.offset; i < run.count; at += run.views[i++].length) await this.target.write(run.views[i], at);
      this.onWritten(run.bytes);
      settled.resolve(true);
    } catch (err) {
      settled.reject(err);
    } finally {
      const next = this.waiting.shift();
      if (next)
        next(); // hand the slot over
      else this.running--;
    }
  }

  private track(p: Promise<void>): void {
    this.inFlight.add(p);
    void p.finally(() => this.inFlight.delete(p));
  }
}

interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(err: unknown): void;
}

function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (err: unknown) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  promise.catch(() => undefined); // rejections are handled by the blocks waiting on it
  return { promise, resolve, reject };
}
