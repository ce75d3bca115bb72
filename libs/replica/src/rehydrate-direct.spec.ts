import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createSparseFile, FileDiskHandle } from '@jss/platform';
import { FsObjectStore } from '@jss/store';
import { AbortError, Manifest, splitRanges, rehydrateRange, RehydrateResult, ReplicaWriter } from './index';

const KiB = 1 << 10;
const MiB = 1 << 20;
const PAGE = 4 * KiB;

/**
 * The write path on real file systems: ext4 (os.tmpdir here: O_DIRECT), tmpfs (/dev/shm) and
 * ramfs, which refuses O_DIRECT (the page-cache fallback). Every case: the disk is the image byte
 * for byte, and only its non-zero blocks are allocated.
 */
const ramfs = path.join(os.tmpdir(), `jss-ramfs-${process.pid}`);
const canMount = process.getuid?.() === 0;
type Case = [string, () => string, 'direct' | 'page-cache' | undefined];
const systems: Case[] = [
  ['ext4 (direct I/O)', () => os.tmpdir(), 'direct'],
  ['tmpfs', () => '/dev/shm', undefined],
  ...(canMount ? [['ramfs (no O_DIRECT: page cache)', () => ramfs, 'page-cache'] as Case] : []),
];

beforeAll(async () => {
  if (!canMount) return console.warn('not root: the ramfs (page-cache fallback) cases are not run');
  await fs.mkdir(ramfs, { recursive: true });
  execFileSync('mount', ['-t', 'ramfs', 'ramfs', ramfs]);
});
afterAll(async () => {
  if (!canMount) return;
  execFileSync('umount', [ramfs]);
  await fs.rmdir(ramfs);
});

/** An image from a pattern: R a random block, 0 a zero block, r a short random last block of `tail` bytes. */
function imageOf(pattern: string, blockSize: number, tail = 0): Buffer {
  return Buffer.concat(
    [...pattern].map((c) => (c === '0' ? Buffer.alloc(blockSize) : c === 'R' ? randomBytes(blockSize) : randomBytes(tail))),
  );
}

describe.each(systems)('rehydration on %s', (_, root, mode) => {
  let dir: string;
  let store: FsObjectStore;
  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(root(), 'jss-direct-'));
    // the store on ext4 (the objects are read, not written, by the path under test)
    store = new FsObjectStore(await fs.mkdtemp(path.join(os.tmpdir(), 'jss-direct-objects-')));
  });
  afterEach(async () => {
    await fs.rm(dir, { recursive: true, force: true });
    await fs.rm(store.root, { recursive: true, force: true });
  });

  async function pointOf(image: Buffer, blockSize: number): Promise<Manifest> {
    const src = path.join(store.root, '..', `${path.basename(store.root)}.src.img`);
    await fs.writeFile(src, image);
    try {
      return await new ReplicaWriter(store).writePoint('shop', [{ name: 'web', source: { file: src } }], { blockSize });
    } finally {
      await fs.rm(src, { force: true });
    }
  }

  /** Writes `ranges` of the point's disk, each on its own handle of the file when `handles` > 1 (workers). */
  async function recover(point: Manifest, out: string, opts: { concurrency?: number; maxBlocksPerRange?: number; handles?: number } = {}) {
    await createSparseFile(out, point.vms[0].disks[0].sizeBytes);
    const handles = await Promise.all(Array.from({ length: opts.handles ?? 1 }, () => FileDiskHandle.open(out, { direct: true })));
    try {
      if (mode) expect(handles[0].ioMode).toBe(mode);
      const ranges = splitRanges(point, 'web', 0, { maxBlocksPerRange: opts.maxBlocksPerRange });
      return await Promise.all(
        ranges.map((r, i) =>
          rehydrateRange({
            store,
            manifest: point,
            vm: 'web',
            diskIndex: 0,
            ...r,
            target: handles[i % handles.length],
            concurrency: opts.concurrency ?? 8,
          }),
        ),
      );
    } finally {
      await Promise.all(handles.map((h) => h.close()));
    }
  }

  /** Bytes the file system allocated for the file. */
  const allocated = async (file: string) => (await fs.stat(file)).blocks * 512;
  const nonZeroBytes = (image: Buffer, blockSize: number) => {
    let n = 0;
    for (let at = 0; at < image.length; at += blockSize) {
      const block = image.subarray(at, at + blockSize);
      if (block.some((b) => b !== 0)) n += Math.ceil(block.length / PAGE) * PAGE;
    }
    return n;
  };

  it.each([
    ['one block', 'R', 0],
    ['a size not a multiple of the block size, last block partial and non-zero', 'R0RR0Rr', 1000],
    ['a size not a multiple of 4 KiB, zero blocks first', '00Rr', 5 * KiB + 3],
    ['a last block shorter than a page', 'RRr', 100],
  ])('recovers %s byte for byte, sparse', async (_name, pattern, tail) => {
    const blockSize = 64 * KiB;
    const image = imageOf(pattern, blockSize, tail);
    const point = await pointOf(image, blockSize);
    const out = path.join(dir, 'out.img');
    await recover(point, out);
    const alloc = await allocated(out); // before reading it: reading a hole of ramfs allocates it
    const expected = nonZeroBytes(image, blockSize);
    expect(alloc).toBeGreaterThanOrEqual(expected);
    expect(alloc).toBeLessThanOrEqual(expected + 2 * PAGE);
    expect((await fs.readFile(out)).equals(image)).toBe(true);
  });

  it('splits a run of non-zero blocks longer than the coalescing limit into several writes', async () => {
    const image = imageOf(`${'R'.repeat(20)}0RRr`, MiB, 12345);
    const point = await pointOf(image, MiB);
    const out = path.join(dir, 'out.img');
    const [result] = await recover(point, out, { concurrency: 32 });
    // runs of at most 8 MiB (MAX_WRITE_BYTES): 8 + 8 + 4 blocks, then the 3 after the zero block
    expect(result.writes).toBe(4);
    expect(result.blocksZero).toBe(1);
    expect(await allocated(out)).toBeLessThanOrEqual(nonZeroBytes(image, MiB) + 2 * PAGE);
    expect((await fs.readFile(out)).equals(image)).toBe(true);
  });

  it('gives the same disk when two workers write ranges of it at once', async () => {
    const image = imageOf('RR0RRRR0R0RRRRRRr', 64 * KiB, 777);
    const point = await pointOf(image, 64 * KiB);
    const out = path.join(dir, 'out.img');
    const results: RehydrateResult[] = await recover(point, out, { maxBlocksPerRange: 2, handles: 2 });
    expect(results).toHaveLength(9);
    expect(await allocated(out)).toBeLessThanOrEqual(nonZeroBytes(image, 64 * KiB) + 2 * PAGE);
    expect((await fs.readFile(out)).equals(image)).toBe(true);
  });

  it('a range stopped half-way and redone from the start by another worker gives the same disk', async () => {
    const image = imageOf('R'.repeat(40) + 'r', 64 * KiB, 4321);
    const point = await pointOf(image, 64 * KiB);
    const out = path.join(dir, 'out.img');
    await createSparseFile(out, image.length);
    const first = await FileDiskHandle.open(out, { direct: true });
    const stop = new AbortController();
    const range = { firstBlock: 0, blockCount: 41 };
    const base = { store, manifest: point, vm: 'web', diskIndex: 0, ...range, concurrency: 4 };
    const stopped = rehydrateRange({
      ...base,
      target: first,
      signal: stop.signal,
      onProgress: (bytes) => bytes > 0 && stop.abort(),
    });
    // timed on purpose: the fault itself — whichever comes first, the first worker dies mid-range
    setTimeout(() => stop.abort(), 5);
    await expect(stopped).rejects.toBeInstanceOf(AbortError);
    await first.close();
    const second = await FileDiskHandle.open(out, { direct: true });
    await rehydrateRange({ ...base, target: second });
    await second.close();
    expect((await fs.readFile(out)).equals(image)).toBe(true);
  });
});
