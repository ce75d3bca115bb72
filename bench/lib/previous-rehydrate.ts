// The rehydration pipeline as it was before issue #5 (libs/replica/src/rehydrate.ts at that time,
// reduced to the full-disk case the bench runs): store.get (readFile: a new buffer per block),
// crypto.subtle.digest (a copy per block, hashed on the libuv threadpool in front of the file
// system calls), one positioned write per block, and a single fsync at the end. Kept only so that
// the bench can measure the old and the new pipeline in the same run, on the same data.
import type { DiskHandle } from '@jss/platform';
import { blockKey, blockLengthOf, Manifest } from '@jss/replica';
import type { ObjectStore } from '@jss/store';
import { webcrypto } from 'node:crypto';

export async function previousRehydrateRange(opts: {
  store: ObjectStore;
  manifest: Manifest;
  vm: string;
  firstBlock: number;
  blockCount: number;
  target: DiskHandle;
  concurrency: number;
}): Promise<void> {
  const { store, manifest, target } = opts;
  const disk = manifest.vms.find((v) => v.name === opts.vm)!.disks[0];
  const inFlight = new Set<Promise<void>>();
  let failure: unknown;
  for (let block = opts.firstBlock; block < opts.firstBlock + opts.blockCount && !failure; block++) {
    const expected = disk.blocks[block];
    if (expected === null) continue; // a zero block of a fresh disk: nothing read or written
    const length = blockLengthOf(disk.sizeBytes, manifest.blockSize, block);
    const running: Promise<void> = (async () => {
      const data = await store.get(blockKey(manifest.domain, expected));
      const actual = Buffer.from(await webcrypto.subtle.digest('SHA-256', data)).toString('hex');
      if (actual !== expected || data.length !== length) throw new Error(`block ${block} failed verification`);
      await target.write(data, block * manifest.blockSize);
    })()
      .catch((err: unknown) => void (failure ??= err))
      .finally(() => inFlight.delete(running));
    inFlight.add(running);
    if (inFlight.size >= opts.concurrency) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
  if (failure) throw failure;
  await target.sync();
}
