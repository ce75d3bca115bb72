import { createHash, webcrypto } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';

// The worker's whole program. Inline (eval) so that it runs the same from dist/ and under ts-jest.
// The buffer comes in transferred (no copy), is hashed in place, and goes back transferred.
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { createHash } = require('node:crypto');
parentPort.on('message', ({ id, buffer, length }) => {
  let hash = null;
  let error = null;
  try {
    hash = createHash('sha256').update(new Uint8Array(buffer, 0, length)).digest('hex');
  } catch (err) {
    error = String(err && err.message || err);
  }
  parentPort.postMessage({ id, hash, error, buffer }, [buffer]);
});
`;

export interface HashedBuffer {
  /** lower-case hex sha256 of the first `length` bytes */
  hash: string;
  /** the buffer handed in (transferred back): use this one, the one passed is detached */
  buffer: ArrayBuffer;
}

/** Where rehydrateRange hashes a block: a HashPool (the default), or another strategy to compare. */
export interface BlockHasher {
  /** sha256 of the first `length` bytes; may transfer `buffer` and hand it back in the result */
  hash(buffer: ArrayBuffer, length: number): Promise<HashedBuffer>;
}

interface Reply {
  id: number;
  hash: string | null;
  error: string | null;
  buffer: ArrayBuffer;
}

interface Pending {
  resolve: (r: HashedBuffer) => void;
  reject: (err: Error) => void;
}

class HashThread {
  readonly pending = new Map<number, Pending>();
  private readonly worker: Worker;

  constructor(onGone: (t: HashThread) => void) {
    this.worker = new Worker(WORKER_SOURCE, { eval: true, name: 'jss-sha256' });
    this.worker.unref();
    this.worker.on('message', (r: Reply) => {
      const p = this.pending.get(r.id);
      if (!p) return;
      this.pending.delete(r.id);
      if (this.pending.size === 0) this.worker.unref();
      if (r.error !== null || r.hash === null) p.reject(new Error(`sha256 failed: ${r.error}`));
      else p.resolve({ hash: r.hash, buffer: r.buffer });
    });
    const fail = (err: Error) => {
      onGone(this);
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
    };
    this.worker.on('error', (err) => fail(err));
    this.worker.on('exit', (code) => fail(new Error(`sha256 worker thread exited with code ${code}`)));
  }

  post(id: number, buffer: ArrayBuffer, length: number, pending: Pending): void {
    if (this.pending.size === 0) this.worker.ref(); // keep the process alive while a hash is owed
    this.pending.set(id, pending);
    this.worker.postMessage({ id, buffer, length }, [buffer]);
  }

  terminate(): Promise<number> {
    return this.worker.terminate();
  }
}

/**
 * sha256 of block buffers on worker threads, one per core by default. A buffer is transferred to
 * the thread and back (never copied), the event loop stays free for reads and writes, and the
 * libuv threadpool stays free for the file system. Threads start on first use and do not keep
 * the process alive when idle.
 *
 * Measured against crypto.subtle.digest (which copies each block and runs on the libuv
 * threadpool, in front of the reads and writes): see bench/README.md.
 */
export class HashPool implements BlockHasher {
  private readonly threads: HashThread[] = [];
  private nextId = 0;

  constructor(readonly size: number = defaultHashThreads()) {
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`hash threads must be a positive integer, got ${size}`);
  }

  /**
   * sha256 of the first `length` bytes of `buffer`. The buffer is transferred (detached here) and
   * handed back with the hash. It must be a plain ArrayBuffer the caller owns (not a Buffer pool slab).
   */
  hash(buffer: ArrayBuffer, length: number): Promise<HashedBuffer> {
    if (!Number.isInteger(length) || length < 0 || length > buffer.byteLength) {
      return Promise.reject(new RangeError(`cannot hash ${length} bytes of a ${buffer.byteLength}-byte buffer`));
    }
    const thread = this.leastBusy();
    return new Promise<HashedBuffer>((resolve, reject) => thread.post(this.nextId++, buffer, length, { resolve, reject }));
  }

  /** Stops the threads (pending hashes reject). The pool starts new ones if used again. */
  async close(): Promise<void> {
    const threads = this.threads.splice(0);
    await Promise.all(threads.map((t) => t.terminate()));
  }

  private leastBusy(): HashThread {
    if (this.threads.length < this.size) {
      const thread = new HashThread((gone) => {
        const i = this.threads.indexOf(gone);
        if (i >= 0) this.threads.splice(i, 1);
      });
      this.threads.push(thread);
      return thread;
    }
    let best = this.threads[0];
    for (const t of this.threads) if (t.pending.size < best.pending.size) best = t;
    return best;
  }
}

/** One hashing thread per core the process may use. */
export function defaultHashThreads(): number {
  return Math.max(1, availableParallelism());
}

let shared: HashPool | undefined;

/** The process-wide pool rehydrateRange uses by default. */
export function sharedHashPool(): HashPool {
  shared ??= new HashPool();
  return shared;
}

/** For comparison (bench): crypto.subtle.digest, which copies the block and hashes it on the libuv threadpool. */
export const subtleHasher: BlockHasher = {
  async hash(buffer, length) {
    const digest = await webcrypto.subtle.digest('SHA-256', new Uint8Array(buffer, 0, length));
    return { hash: Buffer.from(digest).toString('hex'), buffer };
  },
};

/** For comparison (bench): createHash on the event-loop thread (one core, and it blocks the loop). */
export const inlineHasher: BlockHasher = {
  async hash(buffer, length) {
    return { hash: createHash('sha256').update(new Uint8Array(buffer, 0, length)).digest('hex'), buffer };
  },
};
