import { rmSync } from 'node:fs';
import { createSparseFile, FileDiskHandle } from '@jss/platform';
import {
  BlockHasher,
  blockKey,
  HashPool,
  inlineHasher,
  Manifest,
  rehydrateRange,
  RehydrateOptions,
  sharedHashPool,
  subtleHasher,
} from '@jss/replica';
import { type ObjectStore, withoutGetInto } from '@jss/store';
import { secondsSince, settle } from './measure';
import { previousRehydrateRange } from './previous-rehydrate';

export interface PipelineRun {
  seconds: number;
  /** CPU seconds of this process meanwhile (event loop, hash threads, libuv threads: all of it) */
  cpuSeconds: number;
}

export interface PipelineInput {
  store: ObjectStore;
  manifest: Manifest;
  vm: string;
}

export interface Variant {
  name: string;
  what: string;
  run(input: PipelineInput, target: FileDiskHandle): Promise<void>;
}

const disk0 = (input: PipelineInput) => input.manifest.vms.find((v) => v.name === input.vm)!.disks[0];

function current(name: string, what: string, tweak: Partial<RehydrateOptions> = {}, store?: (s: ObjectStore) => ObjectStore): Variant {
  return {
    name,
    what,
    run: async (input, target) => {
      await rehydrateRange({
        store: store ? store(input.store) : input.store,
        manifest: input.manifest,
        vm: input.vm,
        diskIndex: 0,
        firstBlock: 0,
        blockCount: disk0(input).blocks.length,
        target,
        concurrency: 16,
        ...tweak,
      });
    },
  };
}

const hashers: Record<string, BlockHasher> = { subtle: subtleHasher, inline: inlineHasher };

export const NEW = current(
  'new',
  'rehydrateRange as shipped: getInto, sha256 on worker threads, one write at a time, background sync every 64 MiB, 16 in flight',
);
export const PREVIOUS: Variant = {
  name: 'previous',
  what: 'the pipeline before issue #5: readFile, crypto.subtle, one fsync at the end, 16 in flight',
  run: (input, target) =>
    previousRehydrateRange({ ...input, firstBlock: 0, blockCount: disk0(input).blocks.length, target, concurrency: 16 }),
};

/** One idea at a time, switched off or changed, against NEW (BENCH_ABLATION=1). */
export const ABLATION: Variant[] = [
  {
    name: 'one-at-a-time',
    what: 'previous pipeline, 1 block in flight (read, hash, write one after the other)',
    run: (input, target) =>
      previousRehydrateRange({ ...input, firstBlock: 0, blockCount: disk0(input).blocks.length, target, concurrency: 1 }),
  },
  current('new, crypto.subtle', 'new, hashing with crypto.subtle.digest (copy + libuv threadpool)', { hasher: hashers.subtle }),
  current('new, createHash on loop', 'new, hashing with createHash on the event-loop thread', { hasher: hashers.inline }),
  current('new, 1 hash thread', 'new, a pool of 1 hash thread', { hasher: new HashPool(1) }),
  current('new, 2 writes at once', 'new, up to 2 writes into the disk at once', { writesInFlight: 2 }),
  current('new, parallel writes', 'new, up to 16 writes into the disk at once (as before) instead of one at a time', {
    parallelWrites: true,
  }),
  current('new, get()', 'new, store.get (a new buffer per block) instead of getInto', {}, withoutGetInto),
  current('new, no bg sync', 'new, without background syncs (one fsync at the end)', { flushEveryBytes: 0 }),
  current('new, bg sync 16 MiB', 'new, background sync every 16 MiB', { flushEveryBytes: 16 << 20 }),
  current('new, bg sync 256 MiB', 'new, background sync every 256 MiB', { flushEveryBytes: 256 << 20 }),
  current('new, 4 in flight', 'new, concurrency 4', { concurrency: 4 }),
  current('new, 64 in flight', 'new, concurrency 64', { concurrency: 64 }),
];

/**
 * Runs a variant into `file`, fsynced, and removes the file afterwards unless `keep`. The file is
 * a fresh sparse one, or with `prefilled` the zero-filled file prefill() left there (untimed).
 */
export async function runVariant(
  variant: Variant,
  input: PipelineInput,
  file: string,
  keep = false,
  prefilled = false,
): Promise<PipelineRun> {
  if (!prefilled) rmSync(file, { force: true });
  const cpu0 = process.cpuUsage();
  const start = process.hrtime.bigint();
  if (!prefilled) await createSparseFile(file, disk0(input).sizeBytes);
  const target = await FileDiskHandle.open(file);
  try {
    await variant.run(input, target);
  } finally {
    await target.close();
  }
  const seconds = secondsSince(start);
  const cpu = process.cpuUsage(cpu0);
  if (!keep) rmSync(file, { force: true });
  return { seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6 };
}

/**
 * Each stage alone over the blocks of the disk, 16 in flight: what it costs (CPU seconds) and how
 * long it takes on its own. The slowest stage bounds the pipeline; their CPU seconds added up,
 * divided by the cores, bound it too.
 */
export async function stageCosts(input: PipelineInput, file: string): Promise<Record<string, PipelineRun & { bytes: number }>> {
  const disk = disk0(input);
  const blocks = disk.blocks.flatMap((h, i) => (h ? [{ h, i }] : []));
  const size = input.manifest.blockSize;
  const bytes = blocks.length * size;
  const buffers = Array.from({ length: 16 }, () => new ArrayBuffer(size));
  const each = async (work: (slot: number, b: { h: string; i: number }) => Promise<void>) => {
    let next = 0;
    await Promise.all(
      buffers.map(async (_, slot) => {
        while (next < blocks.length) await work(slot, blocks[next++]);
      }),
    );
  };
  const timed = async (fn: () => Promise<void>): Promise<PipelineRun & { bytes: number }> => {
    const cpu0 = process.cpuUsage();
    const start = process.hrtime.bigint();
    await fn();
    const cpu = process.cpuUsage(cpu0);
    return { seconds: secondsSince(start), cpuSeconds: (cpu.user + cpu.system) / 1e6, bytes };
  };
  const store = input.store;
  const pool = sharedHashPool();
  const out: Record<string, PipelineRun & { bytes: number }> = {};
  await settle();
  out['read (getInto)'] = await timed(() =>
    each(async (slot, b) => void (await store.getInto!(blockKey(input.manifest.domain, b.h), new Uint8Array(buffers[slot])))),
  );
  await settle();
  out['read (get)'] = await timed(() => each(async (_, b) => void (await store.get(blockKey(input.manifest.domain, b.h)))));
  out['sha256 (worker threads)'] = await timed(() =>
    each(async (slot) => void (buffers[slot] = (await pool.hash(buffers[slot], size)).buffer)),
  );
  out['sha256 (crypto.subtle)'] = await timed(() => each(async (slot) => void (await subtleHasher.hash(buffers[slot], size))));
  const writes = [
    ['write, 1 at a time, bg sync 64 MiB', 1, 64 << 20],
    ['write, 1 at a time, fsync at the end', 1, 0],
    ['write, 16 at a time, bg sync 64 MiB', 16, 64 << 20],
  ] as const;
  for (const [name, parallel, flush] of writes) {
    rmSync(file, { force: true });
    await createSparseFile(file, disk.sizeBytes);
    const target = await FileDiskHandle.open(file);
    await settle();
    out[name] = await timed(async () => {
      let sinceSync = 0;
      let syncing: Promise<void> | undefined;
      let tail: Promise<unknown> = Promise.resolve();
      await each(async (slot, b) => {
        const data = new Uint8Array(buffers[slot], 0, Math.min(size, disk.sizeBytes - b.i * size));
        if (parallel > 1) await target.write(data, b.i * size);
        else await (tail = tail.then(() => target.write(data, b.i * size)));
        sinceSync += size;
        if (flush && sinceSync >= flush && !syncing) {
          sinceSync = 0;
          syncing = target.sync().finally(() => (syncing = undefined));
        }
      });
      await syncing;
      await target.sync();
    });
    await target.close();
    rmSync(file, { force: true });
  }
  return out;
}
