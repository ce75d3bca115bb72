import { createHash, randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createSparseFile, FileDiskHandle } from '@jss/platform';
import { FsObjectStore } from '@jss/store';
import {
  AbortError,
  blockKey,
  BlockVerificationError,
  blocksPrefix,
  imageSha256,
  Manifest,
  splitRanges,
  rehydrateRange,
  RehydrateResult,
  ReplicaWriter,
  writeGeneratedImage,
} from './index';

const MiB = 1 << 20;
const KiB64 = 64 << 10;

describe('rehydrateRange', () => {
  let dir: string;
  let store: FsObjectStore;
  let writer: ReplicaWriter;

  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'jss-replica-'));
    store = new FsObjectStore(path.join(dir, 'objects'));
    writer = new ReplicaWriter(store);
  });
  afterEach(() => fs.rm(dir, { recursive: true, force: true }));

  const file = (name: string) => path.join(dir, name);
  const sha256File = async (f: string) =>
    createHash('sha256')
      .update(await fs.readFile(f))
      .digest('hex');
  const countBlocks = async (domain: string) => (await store.list(blocksPrefix(domain))).length;

  /** Rehydrates every range of vm's disk 0 into `target` (a fresh sparse file unless it exists). */
  async function recover(
    manifest: Manifest,
    vm: string,
    target: string,
    opts: { previous?: Manifest; maxBlocksPerRange?: number; concurrency?: number } = {},
  ): Promise<RehydrateResult[]> {
    const disk = manifest.vms.find((v) => v.name === vm)!.disks[0];
    if (!opts.previous) await createSparseFile(target, disk.sizeBytes);
    const handle = await FileDiskHandle.open(target);
    try {
      const ranges = splitRanges(manifest, vm, 0, { maxBlocksPerRange: opts.maxBlocksPerRange });
      return await Promise.all(
        ranges.map((r) =>
          rehydrateRange({
            store,
            manifest,
            vm,
            diskIndex: 0,
            ...r,
            target: handle,
            concurrency: opts.concurrency ?? 4,
            previous: opts.previous,
          }),
        ),
      );
    } finally {
      await handle.close();
    }
  }

  it.each([
    // seed 3 makes the odd-size image random, text, zero, random, random, text (short)
    ['an odd size', 5 * MiB + 777, 1],
    ['exactly one block', MiB, 0],
    ['zero bytes', 0, 0],
  ])('recovers an image of %s bit for bit', async (_, size, zeroBlocks) => {
    await writeGeneratedImage(file('src.img'), size, 3, 'web');
    const point = await writer.writePoint('shop', [{ name: 'web', source: { file: file('src.img') } }]);
    const blocks = point.vms[0].disks[0].blocks;
    expect(blocks).toHaveLength(Math.ceil(size / MiB));
    expect(blocks.filter((b) => b === null)).toHaveLength(zeroBlocks);

    const results = await recover(point, 'web', file('out.img'));
    expect((await fs.stat(file('out.img'))).size).toBe(size);
    expect(await sha256File(file('out.img'))).toBe(await sha256File(file('src.img')));
    expect(await imageSha256(store, point, 'web', 0)).toBe(await sha256File(file('src.img')));
    const stored = new Set(blocks.filter((b) => b !== null)).size;
    expect(await countBlocks('shop')).toBe(stored);
    expect(results.reduce((n, r) => n + r.blocksRead, 0)).toBe(blocks.filter((b) => b !== null).length);
  });

  it('neither stores nor writes zero blocks', async () => {
    const size = 8 * MiB + 100;
    await createSparseFile(file('src.img'), size);
    await fs.writeFile(file('src.img'), randomBytes(MiB + 5), { flag: 'r+' }); // data in blocks 0 and 1 only
    const point = await writer.writePoint('shop', [{ name: 'db', source: { file: file('src.img') } }]);
    expect(point.vms[0].disks[0].blocks.filter((b) => b !== null)).toHaveLength(2);
    expect(await countBlocks('shop')).toBe(2);

    const [result] = await recover(point, 'db', file('out.img'));
    expect(result).toMatchObject({ blocksRead: 2, blocksZero: 7, bytesWritten: 2 * MiB, bytesSkippedZero: size - 2 * MiB });
    expect(await sha256File(file('out.img'))).toBe(await sha256File(file('src.img')));
    const allocated = (await fs.stat(file('out.img'))).blocks * 512;
    expect(allocated).toBeLessThan(size / 3);
  });

  it('applies a snapshot as a delta, reading only the changed blocks', async () => {
    const first = await writer.writePoint('shop', [{ name: 'web', source: { sizeBytes: 4 * MiB, seed: 1 } }], { blockSize: KiB64 });
    const before = await countBlocks('shop');
    const second = await writer.snapshot('shop', { changePercent: 5, seed: 2 });
    const changed = second.vms[0].disks[0].blocks.filter((b, i) => b !== first.vms[0].disks[0].blocks[i]);
    expect(changed).toHaveLength(Math.round(64 * 0.05));
    expect(await countBlocks('shop')).toBe(before + changed.length);

    await recover(first, 'web', file('disk.img'));
    const results = await recover(second, 'web', file('disk.img'), { previous: first, maxBlocksPerRange: 16 });
    expect(results.reduce((n, r) => n + r.blocksRead, 0)).toBe(changed.length);
    expect(results.reduce((n, r) => n + r.blocksUnchanged, 0)).toBe(
      second.vms[0].disks[0].blocks.filter((b, i) => b !== null && b === first.vms[0].disks[0].blocks[i]).length,
    );
    expect(await sha256File(file('disk.img'))).toBe(await imageSha256(store, second, 'web', 0));
  });

  it('reuses blocks and zeroes blocks that became zero in a delta', async () => {
    const size = 2 * MiB + 3;
    await writeGeneratedImage(file('v1.img'), size, 3, 'app');
    const v1 = (await fs.readFile(file('v1.img'))).fill(1, KiB64, 2 * KiB64); // block 1 not zero
    await fs.writeFile(file('v1.img'), v1);
    const v2 = Buffer.from(v1).fill(0, KiB64, 2 * KiB64); // block 1 becomes zero
    randomBytes(KiB64).copy(v2, 0); // block 0 changes
    await fs.writeFile(file('v2.img'), v2);

    const first = await writer.writePoint('shop', [{ name: 'app', source: { file: file('v1.img') } }], { blockSize: KiB64 });
    const before = await countBlocks('shop');
    const second = await writer.writePoint('shop', [{ name: 'app', source: { file: file('v2.img') } }]);
    expect(await countBlocks('shop')).toBe(before + 1);
    expect(second.vms[0].disks[0].blocks[1]).toBeNull();

    await recover(first, 'app', file('disk.img'));
    const [result] = await recover(second, 'app', file('disk.img'), { previous: first });
    expect(result.blocksRead).toBe(1);
    expect(await sha256File(file('disk.img'))).toBe(await sha256File(file('v2.img')));
  });

  it('gives the same image when many ranges of one disk run at once', async () => {
    await writeGeneratedImage(file('src.img'), 3 * MiB + 4097, 11, 'web');
    const point = await writer.writePoint('shop', [{ name: 'web', source: { file: file('src.img') } }], { blockSize: KiB64 });
    const results = await recover(point, 'web', file('out.img'), { maxBlocksPerRange: 3, concurrency: 3 });
    expect(results.length).toBe(Math.ceil(point.vms[0].disks[0].blocks.length / 3));
    expect(await sha256File(file('out.img'))).toBe(await sha256File(file('src.img')));
  });

  describe('verification', () => {
    let point: Manifest;
    let bad: number;

    beforeEach(async () => {
      await fs.writeFile(file('src.img'), randomBytes(8 * KiB64));
      point = await writer.writePoint('shop', [{ name: 'web', source: { file: file('src.img') } }], { blockSize: KiB64 });
      bad = 3;
    });

    async function rehydrateAll() {
      await createSparseFile(file('out.img'), 8 * KiB64);
      const target = await FileDiskHandle.open(file('out.img'));
      try {
        return await rehydrateRange({
          store,
          manifest: point,
          vm: 'web',
          diskIndex: 0,
          firstBlock: 0,
          blockCount: 8,
          target,
          concurrency: 1,
        });
      } finally {
        await target.close();
      }
    }

    it('rejects a corrupted block, naming it, and writes nothing after it', async () => {
      const hash = point.vms[0].disks[0].blocks[bad]!;
      await fs.writeFile(path.join(store.root, blockKey('shop', hash)), randomBytes(KiB64));
      const error = await rehydrateAll().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(BlockVerificationError);
      expect((error as Error).message).toContain(
        `block ${bad} of disk 0 of VM "web" in domain "shop" (sha256 ${hash}) failed verification`,
      );
      const out = await fs.readFile(file('out.img'));
      expect(out.subarray(bad * KiB64).equals(Buffer.alloc(out.length - bad * KiB64))).toBe(true);
    });

    it('rejects a missing block', async () => {
      const hash = point.vms[0].disks[0].blocks[bad]!;
      await store.delete(blockKey('shop', hash));
      await expect(rehydrateAll()).rejects.toThrow(
        `block ${bad} of disk 0 of VM "web" in domain "shop" (sha256 ${hash}) is missing from the object store`,
      );
    });
  });

  it('stops on abort with an AbortError', async () => {
    const point = await writer.writePoint('shop', [{ name: 'web', source: { sizeBytes: 2 * MiB, seed: 5 } }], { blockSize: KiB64 });
    const slow = new FsObjectStore(store.root, { latencyMs: 20 });
    await createSparseFile(file('out.img'), 2 * MiB);
    const target = await FileDiskHandle.open(file('out.img'));
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50); // timed on purpose: the abort arrives mid-range (reads take 20 ms each)
    const run = rehydrateRange({
      store: slow,
      manifest: point,
      vm: 'web',
      diskIndex: 0,
      firstBlock: 0,
      blockCount: 32,
      target,
      concurrency: 2,
      signal: controller.signal,
    });
    await expect(run).rejects.toBeInstanceOf(AbortError);
    await target.close();
  });

  it('reports progress in logical bytes, ending with the range size', async () => {
    const point = await writer.writePoint('shop', [{ name: 'web', source: { sizeBytes: MiB + 10, seed: 5 } }], { blockSize: KiB64 });
    await createSparseFile(file('out.img'), MiB + 10);
    const target = await FileDiskHandle.open(file('out.img'));
    const seen: number[] = [];
    await rehydrateRange({
      store,
      manifest: point,
      vm: 'web',
      diskIndex: 0,
      firstBlock: 10,
      blockCount: 7,
      target,
      concurrency: 2,
      onProgress: (b) => seen.push(b),
    });
    await target.close();
    expect(seen[seen.length - 1]).toBe(6 * KiB64 + 10);
  });

  it('refuses a range outside the disk', async () => {
    const point = await writer.writePoint('shop', [{ name: 'web', source: { sizeBytes: MiB, seed: 5 } }]);
    await createSparseFile(file('out.img'), MiB);
    const target = await FileDiskHandle.open(file('out.img'));
    await expect(
      rehydrateRange({ store, manifest: point, vm: 'web', diskIndex: 0, firstBlock: 0, blockCount: 2, target, concurrency: 1 }),
    ).rejects.toThrow('outside disk 0 of VM "web"');
    await expect(
      rehydrateRange({ store, manifest: point, vm: 'db', diskIndex: 0, firstBlock: 0, blockCount: 1, target, concurrency: 1 }),
    ).rejects.toThrow('has no VM "db"');
    await target.close();
  });
});
