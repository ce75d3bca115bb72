import { promises as fs } from 'node:fs';
import path from 'node:path';
import { createSparseFile, FileDiskHandle } from '@jss/platform';
import { splitRanges, rehydrateRange, writeGeneratedImage } from '@jss/replica';
import { Installation, MiB, diskHashes, sha256File, sparseImage } from '@jss/testing';

/**
 * The rehydration pipeline through the services: disks byte-identical to their images whatever
 * their size, with two rehydrator processes taking two range jobs each (REHYDRATOR_JOBS=2), so that
 * the range jobs of one disk run at once in both processes. (A worker killed mid-range:
 * crash.e2e-spec.ts.)
 */
describe('rehydration through the services', () => {
  let inst: Installation;
  const images: Record<string, string> = {};
  const image = (name: string) => (images[name] = path.join(inst.dataDir, `${name}.img`));

  /** jss_rehydrated_bytes_total of each rehydrator process (logical bytes of the jobs it finished). */
  async function rehydratedBytes(): Promise<number[]> {
    const rehydrators = inst.services.filter((s) => s.name.startsWith('rehydrator'));
    return Promise.all(
      rehydrators.map(async (s) => {
        const text = await (await fetch(`http://127.0.0.1:${s.port}/metrics`)).text();
        return Number(/^jss_rehydrated_bytes_total (\S+)$/m.exec(text)?.[1] ?? 0);
      }),
    );
  }

  /** task.progress of one VM: never more than its size, never going back, ending exactly at its size. */
  function expectExactProgress(commandId: string, vm: string, size: number) {
    const seen = inst.events
      .of(commandId, 'task.progress')
      .map((r) => (r.event.data.vms as Record<string, { bytesDone: number; bytesTotal: number }>)[vm]);
    expect(seen.length).toBeGreaterThan(0);
    for (const [i, p] of seen.entries()) {
      expect(p.bytesTotal).toBe(size);
      expect(p.bytesDone).toBeLessThanOrEqual(size);
      if (i > 0) expect(p.bytesDone).toBeGreaterThanOrEqual(seen[i - 1].bytesDone);
    }
    expect(seen[seen.length - 1].bytesDone).toBe(size);
  }

  beforeAll(async () => {
    inst = await Installation.start({ planner: 1, provisioner: 1, rehydrator: 2, janitor: 1 }, { REHYDRATOR_JOBS: '2' });
  });
  afterAll(() => inst?.stop());

  it('one disk shared by both processes: three range jobs, byte-identical, exact progress', async () => {
    // 2 x 256 MiB ranges and a third one of 777 bytes: more jobs than one process takes at once
    const size = 512 * MiB + 777;
    await writeGeneratedImage(image('shared'), size, 21, 'shared');
    const point = await inst.writer.writePoint('big', [{ name: 'shared', source: { file: images.shared } }]);
    expect(splitRanges(point, 'shared', 0)).toHaveLength(3);
    const before = await rehydratedBytes();

    const { id, end } = await inst.run('failover', { domain: 'big' });
    expect(end.key).toBe('task.completed');
    const vm = await inst.platform.getVm('recovery', 'shared');
    expect(await diskHashes(inst.platform, vm!)).toEqual([await sha256File(images.shared)]);
    expectExactProgress(id, 'shared', size);

    // both processes wrote part of this one disk, and together all of it
    const done = (await rehydratedBytes()).map((b, i) => b - before[i]);
    expect(done.every((b) => b > 0)).toBe(true);
    expect(done.reduce((a, b) => a + b, 0)).toBe(size);
  });

  it('odd sizes: one block exactly, a short last block, mostly holes, a single byte', async () => {
    await sparseImage(image('one'), MiB, [0]); // exactly one block, all data
    await writeGeneratedImage(image('tail'), 3 * MiB + 5, 4, 'tail'); // not a multiple of the block size
    await sparseImage(image('holes'), 16 * MiB + 4097, [2, 9, 16]); // zero blocks and a short data block last
    await sparseImage(image('byte'), 1, [0]);
    const sizes = { one: MiB, tail: 3 * MiB + 5, holes: 16 * MiB + 4097, byte: 1 };
    await inst.writer.writePoint(
      'odds',
      Object.keys(sizes).map((name) => ({ name, source: { file: images[name] } })),
    );

    const { id, end } = await inst.run('failover', { domain: 'odds' });
    expect(end.key).toBe('task.completed');
    for (const [name, size] of Object.entries(sizes)) {
      const vm = await inst.platform.getVm('recovery', name);
      expect(vm!.disks.map((d) => d.sizeBytes)).toEqual([size]);
      expect(await diskHashes(inst.platform, vm!)).toEqual([await sha256File(images[name])]);
      expectExactProgress(id, name, size);
    }
    // the zero blocks stayed holes
    const holes = await inst.platform.getVm('recovery', 'holes');
    expect((await fs.stat(inst.platform.diskFile(holes!.disks[0].path))).blocks * 512).toBeLessThanOrEqual(4 * MiB);
  });

  it('a 0-byte disk has no range job and an empty image', async () => {
    // a failover refuses a 0-byte disk in pre-flight (unsupported-disk, test/rejections): this is the pipeline's side of it
    await fs.writeFile(image('empty'), Buffer.alloc(0));
    const point = await inst.writer.writePoint('nothing', [{ name: 'empty', source: { file: images.empty } }]);
    expect(point.vms[0].disks[0]).toMatchObject({ sizeBytes: 0, blocks: [] });
    expect(splitRanges(point, 'empty', 0)).toEqual([]);
    const out = path.join(inst.dataDir, 'empty-out.img');
    await createSparseFile(out, 0);
    const target = await FileDiskHandle.open(out);
    try {
      const r = await rehydrateRange({
        store: inst.store,
        manifest: point,
        vm: 'empty',
        diskIndex: 0,
        firstBlock: 0,
        blockCount: 0,
        target,
        concurrency: 16,
      });
      expect(r).toMatchObject({ bytesWritten: 0, blocksRead: 0 });
    } finally {
      await target.close();
    }
    expect(await sha256File(out)).toBe(await sha256File(images.empty));
  });
});
