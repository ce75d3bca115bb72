import { createHash, randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createSparseFile, DiskHandle, FileDiskHandle } from '@jss/platform';
import { FsObjectStore, ObjectStore } from '@jss/store';
import { blockKey, BlockVerificationError, Manifest, rehydrateRange, RehydrateOptions, rehydrationBuffers, ReplicaWriter } from './index';

const KiB64 = 64 << 10;

/** The same store without its optional getInto: the path a store without it takes. */
const withoutGetInto = (store: ObjectStore): ObjectStore =>
  new Proxy(store, { get: (target, key) => (key === 'getInto' ? undefined : Reflect.get(target, key, target)) });

/** A disk handle that records what happens to it: writes (each a run) in flight, syncs, and when. */
class RecordingDisk implements DiskHandle {
  inFlight = 0;
  maxInFlight = 0;
  written = 0;
  readonly events: Array<{ kind: 'write' | 'sync'; written: number }> = [];
  failSync = false;
  /** writes wait for it */
  gate: Promise<void> | undefined;

  constructor(
    private readonly inner: FileDiskHandle,
    private readonly writeDelayMs = 0,
  ) {}

  get sizeBytes() {
    return this.inner.sizeBytes;
  }

  get ioMode() {
    return this.inner.ioMode;
  }

  write(buffer: Uint8Array, offset: number) {
    return this.writev([buffer], offset);
  }

  async writev(buffers: Uint8Array[], offset: number) {
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      await this.gate;
      if (this.writeDelayMs) await sleep(this.writeDelayMs); // timed on purpose: a slow disk, the condition under test
      await this.inner.writev(buffers, offset);
      this.written += buffers.reduce((n, b) => n + b.length, 0);
      this.events.push({ kind: 'write', written: this.written });
    } finally {
      this.inFlight--;
    }
  }

  async sync() {
    this.events.push({ kind: 'sync', written: this.written });
    if (this.failSync) throw new Error('sync failed: no space left');
    await this.inner.sync();
  }

  close() {
    return this.inner.close();
  }
}

describe('rehydrateRange pipeline', () => {
  let dir: string;
  let store: FsObjectStore;
  let point: Manifest;
  const blocks = 24;

  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'jss-pipeline-'));
    store = new FsObjectStore(path.join(dir, 'objects'));
    await fs.writeFile(path.join(dir, 'src.img'), randomBytes(blocks * KiB64 - 100)); // no zero block, short last one
    point = await new ReplicaWriter(store).writePoint('shop', [{ name: 'web', source: { file: path.join(dir, 'src.img') } }], {
      blockSize: KiB64,
    });
  });
  afterEach(() => fs.rm(dir, { recursive: true, force: true }));

  async function run(
    opts: Partial<RehydrateOptions> & { writeDelayMs?: number; failSync?: boolean; direct?: boolean; writeGate?: Promise<void> } = {},
  ) {
    const file = path.join(dir, 'out.img');
    await fs.rm(file, { force: true });
    await createSparseFile(file, blocks * KiB64 - 100);
    const disk = new RecordingDisk(await FileDiskHandle.open(file, { direct: opts.direct }), opts.writeDelayMs);
    disk.failSync = opts.failSync ?? false;
    disk.gate = opts.writeGate;
    try {
      const result = await rehydrateRange({
        store,
        manifest: point,
        vm: 'web',
        diskIndex: 0,
        firstBlock: 0,
        blockCount: blocks,
        target: disk,
        concurrency: 8,
        ...opts,
      });
      return { result, disk, same: (await fs.readFile(file)).equals(await fs.readFile(path.join(dir, 'src.img'))) };
    } finally {
      await disk.close();
    }
  }

  it('through the page cache: one run of consecutive blocks at a time, each run as one write', async () => {
    const { disk, same, result } = await run({ writeDelayMs: 2 });
    expect(same).toBe(true);
    expect(disk.ioMode).toBe('page-cache');
    expect(disk.maxInFlight).toBe(1);
    // runs of at most half the blocks in flight (8 / 2 = 4): 24 blocks in 6 writes
    expect(result.writes).toBe(6);
    expect(disk.events.filter((e) => e.kind === 'write')).toHaveLength(6);
  });

  it('with direct I/O: two runs at a time, and only the final sync', async () => {
    const { disk, same, result } = await run({ writeDelayMs: 5, direct: true, concurrency: 16 });
    expect(same).toBe(true);
    expect(disk.ioMode).toBe('direct');
    expect(disk.maxInFlight).toBe(2);
    expect(result.writes).toBe(3); // runs of 8 blocks
    expect(disk.events.filter((e) => e.kind === 'sync')).toEqual([{ kind: 'sync', written: disk.written }]);
  });

  it('writes all consecutive blocks as one run when enough are in flight', async () => {
    const { same, result } = await run({ direct: true, concurrency: 64 });
    expect(same).toBe(true);
    expect(result.writes).toBe(1); // 24 blocks of 64 KiB: 1.5 MiB, under the coalescing limit
  });

  it('syncs in the background every flushEveryBytes, and once more at the end after the last write', async () => {
    // runs of one block: 24 writes of 5 ms or more; a background sync is due every 4 (one at a time)
    const { disk } = await run({ flushEveryBytes: 4 * KiB64, concurrency: 2, writeDelayMs: 5 });
    const syncs = disk.events.filter((e) => e.kind === 'sync');
    expect(syncs.length).toBeGreaterThanOrEqual(2); // at least one in the background (how many: the load decides)
    expect(syncs.slice(0, -1).every((s) => s.written < disk.written)).toBe(true); // while writing
    expect(disk.events[disk.events.length - 1]).toEqual({ kind: 'sync', written: disk.written });
  });

  it('syncs only at the end with flushEveryBytes 0', async () => {
    const { disk } = await run({ flushEveryBytes: 0 });
    expect(disk.events.filter((e) => e.kind === 'sync')).toEqual([{ kind: 'sync', written: disk.written }]);
  });

  it('fails the range when a background sync fails', async () => {
    await expect(run({ flushEveryBytes: KiB64, failSync: true })).rejects.toThrow('sync failed: no space left');
  });

  it('reports exact progress: at each report, the bytes of the blocks written so far', async () => {
    const file = path.join(dir, 'out.img');
    await createSparseFile(file, blocks * KiB64 - 100);
    const disk = new RecordingDisk(await FileDiskHandle.open(file), 30);
    const reports: Array<{ reported: number; written: number }> = [];
    await rehydrateRange({
      store,
      manifest: point,
      vm: 'web',
      diskIndex: 0,
      firstBlock: 0,
      blockCount: blocks,
      target: disk,
      concurrency: 2, // runs of one block: 24 writes of 30 ms, several progress reports
      onProgress: (bytesDone) => reports.push({ reported: bytesDone, written: disk.written }),
    });
    await disk.close();
    expect(reports.length).toBeGreaterThan(1);
    for (const r of reports) expect(r.reported).toBe(r.written);
    expect(reports[reports.length - 1].reported).toBe(blocks * KiB64 - 100);
  });

  it('reads through get() when the store has no getInto, with the same result', async () => {
    const { same, result } = await run({ store: withoutGetInto(store) });
    expect(same).toBe(true);
    expect(result.blocksRead).toBe(blocks);
  });

  it('never has more than `concurrency` blocks read at once', async () => {
    let reading = 0;
    let most = 0;
    const counting: ObjectStore = Object.assign(Object.create(store) as FsObjectStore, {
      getInto: async (key: string, target: Uint8Array) => {
        most = Math.max(most, ++reading);
        try {
          await sleep(3); // timed on purpose: reads that take a while, so that they overlap
          return await store.getInto(key, target);
        } finally {
          reading--;
        }
      },
    });
    await run({ store: counting, concurrency: 3 });
    expect(most).toBe(3);
  });

  it('keeps `concurrency` blocks read at once while its runs wait to be written', async () => {
    // concurrency 4: runs of 2 blocks. Blocks 0-3 are read at once and fill two runs, whose writes
    // are held back; the reads of blocks 4-7 must still go out, all four at once (before, the four
    // blocks waiting in runs held all four places, and nothing more was read until a write ended)
    const hashes = point.vms[0].disks[0].blocks;
    const gate = deferredVoid();
    const fourReading = deferredVoid();
    let reading = 0;
    const gated: ObjectStore = Object.assign(Object.create(store) as FsObjectStore, {
      getInto: async (key: string, target: Uint8Array) => {
        const block = hashes.findIndex((h) => h !== null && key.endsWith(h));
        if (block < 4) return store.getInto(key, target);
        if (++reading === 4) fourReading.resolve();
        await gate.promise;
        reading--;
        return store.getInto(key, target);
      },
    });
    const range = run({ store: gated, concurrency: 4, writeGate: gate.promise });
    await fourReading.promise; // never resolves (the test times out) if the runs held the reads back
    expect(reading).toBe(4);
    gate.resolve();
    expect((await range).same).toBe(true);
    expect(rehydrationBuffers(4, KiB64)).toBe(8);
  });

  it('refuses a block object longer than the block, and one shorter than it', async () => {
    const disk = point.vms[0].disks[0];
    await fs.appendFile(path.join(store.root, blockKey('shop', disk.blocks[2]!)), Buffer.alloc(KiB64));
    const longer = await run().catch((e: unknown) => e);
    expect(longer).toBeInstanceOf(BlockVerificationError);
    expect((longer as Error).message).toContain(`block 2 of disk 0 of VM "web"`);
    expect((longer as Error).message).toContain(`is ${2 * KiB64} bytes long, expected ${KiB64}`);

    await fs.writeFile(path.join(store.root, blockKey('shop', disk.blocks[2]!)), Buffer.alloc(10));
    await expect(run()).rejects.toThrow(
      `block 2 of disk 0 of VM "web" in domain "shop" (sha256 ${disk.blocks[2]}) failed verification: its content hashes to ${createHash('sha256').update(Buffer.alloc(10)).digest('hex')}`,
    );
  });
});

function deferredVoid(): { promise: Promise<void>; resolve(): void } {
  let resolve!: () => void;
  const promise = new Promise<void>((res) => (resolve = res));
  return { promise, resolve };
}
