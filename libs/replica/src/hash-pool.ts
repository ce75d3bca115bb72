import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';

// The worker's whole program. Inline (eval) so that it runs the same from dist/ and under ts-jest.
// The bytes are in shared memory: hashed in place, nothing copied or transferred.
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { createHash } = require('node:crypto');
parentPort.on('message', ({ id, buffer, offset, length }) => {
  let hash = null;
  let error = null;
  try {
    hash = createHash('sha256').update(new Uint8Array(buffer, offset, length)).digest('hex');
  } catch (err) {
    error = String(err && err.message || err);
  }
  parentPort.postMessage({ id, hash, error });
});
`;

interface Reply {
  id: number;
  hash: string | null;
  error: string | null;
}

interface Pending {
  resolve: (hash: string) => void;
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
      else p.resolve(r.hash);
    });
    const fail = (err: Error) => {
      onGone(this);
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
    };
    this.worker.on('error', (err) => fail(err));
    this.worker.on('exit', (code) => fail(new Error(`sha256 worker thread exited with code ${code}`)));
  }

  post(id: number, data: Uint8Array, pending: Pending): void {
    if (this.pending.size === 0) this.worker.ref(); // keep the process alive while a hash is owed
    this.pending.set(id, pending);
    this.worker.postMessage({ id, buffer: data.buffer, offset: data.byteOffset, length: data.length });
  }

  terminate(): Promise<number> {
    return this.worker.terminate();
  }
}

/**
 * sha256 of blocks in shared memory (aligned-slots) on worker threads, one per core by default.
 * The thread reads the bytes in place (never copied), the event loop stays free for reads and
 * writes, and the libuv threadpool stays free for the file system. Threads start on first use
 * and do not keep the process alive when idle.
 */
export class HashPool {
  private readonly threads: HashThread[] = [];
  private nextId = 0;

  constructor(readonly size: number = defaultHashThreads()) {
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`hash threads must be a positive integer, got ${size}`);
  }

  /** Lower-case hex sha256 of `data`, which must be a view of shared memory (it must not change until this settles). */
  hash(data: Uint8Array): Promise<string> {
    if (!(data.buffer instanceof SharedArrayBuffer))
      return Promise.reject(new TypeError('HashPool hashes views of a SharedArrayBuffer only'));
    const thread = this.leastBusy();
    return new Promise<string>((resolve, reject) => thread.post(this.nextId++, data, { resolve, reject }));
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
