import { rmSync } from 'node:fs';
import { createSparseFile, FileDiskHandle } from '@jss/platform';
import { Manifest, rehydrateRange } from '@jss/replica';
import { type ObjectStore } from '@jss/store';
import { secondsSince } from './measure';
import { previousRehydrateRange } from './previous-rehydrate';

export interface PipelineRun {
  seconds: number;
  /** CPU seconds of this process meanwhile (event loop, hash threads, libuv threads: all of it) */
  cpuSeconds: number;
  /** how the target was written */
  ioMode: string;
}

export interface PipelineInput {
  store: ObjectStore;
  manifest: Manifest;
  vm: string;
}

export interface Variant {
  name: string;
  what: string;
  /** open the target with O_DIRECT (where the file system has it) */
  direct: boolean;
  run(input: PipelineInput, target: FileDiskHandle): Promise<void>;
}

const disk0 = (input: PipelineInput) => input.manifest.vms.find((v) => v.name === input.vm)!.disks[0];

const shipped = (input: PipelineInput, target: FileDiskHandle, concurrency = 16) =>
  rehydrateRange({
    store: input.store,
    manifest: input.manifest,
    vm: input.vm,
    diskIndex: 0,
    firstBlock: 0,
    blockCount: disk0(input).blocks.length,
    target,
    concurrency,
  }).then(() => undefined);

export const NEW: Variant = {
  name: 'new',
  what: 'rehydrateRange as shipped, into a direct-I/O disk: getInto into aligned buffers, sha256 on worker threads, runs of up to 8 MiB written past the page cache, 16 in flight',
  direct: true,
  run: (input, target) => shipped(input, target),
};
/** REHYDRATOR_CONCURRENCY 32: runs of 8 MiB with two being written and the next two read and hashed. */
export const NEW_32: Variant = {
  name: 'new, 32 in flight',
  what: 'the same into a direct-I/O disk with 32 blocks in flight',
  direct: true,
  run: (input, target) => shipped(input, target, 32),
};
export const PAGE_CACHE: Variant = {
  name: 'page cache',
  what: 'the same rehydrateRange into a disk opened without O_DIRECT (the fallback): runs through the page cache one at a time, background sync every 64 MiB',
  direct: false,
  run: (input, target) => shipped(input, target),
};
export const PREVIOUS: Variant = {
  name: 'before #5',
  what: 'the pipeline before issue #5: readFile, crypto.subtle, one fsync at the end, 16 in flight, page cache',
  direct: false,
  run: (input, target) =>
    previousRehydrateRange({ ...input, firstBlock: 0, blockCount: disk0(input).blocks.length, target, concurrency: 16 }),
};

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
  const target = await FileDiskHandle.open(file, { direct: variant.direct });
  try {
    await variant.run(input, target);
  } finally {
    await target.close();
  }
  const seconds = secondsSince(start);
  const cpu = process.cpuUsage(cpu0);
  if (!keep) rmSync(file, { force: true });
  return { seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6, ioMode: target.ioMode };
}
