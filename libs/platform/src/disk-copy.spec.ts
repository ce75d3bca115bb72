import { randomBytes } from 'node:crypto';
import { open, readFile, stat } from 'node:fs/promises';
import { simFixture, SimFixture, vmSpec } from '@jss/testing';
import { copyDisk, diskIdentity, emptyDisk } from './disk-copy';

const MiB = 1 << 20;

/** What a failback's RVM starts from: a copy of an original disk, proven unchanged by its identity. */
describe('disk copy and identity (simulated datastore)', () => {
  let sim: SimFixture;
  beforeAll(async () => {
    sim = await simFixture();
    await sim.platform.seed();
  });
  afterAll(() => sim.close());

  it('copies every byte, leaves the zeros sparse, and never removes the target; identity changes with a write only', async () => {
    const original = await sim.platform.createVm(vmSpec('orig', { disks: [{ sizeBytes: 32 * MiB }], owner: null }));
    const copy = await sim.platform.createVm(vmSpec('copy', { disks: [{ sizeBytes: 32 * MiB }] }));
    const from = sim.platform.diskFile(original.disks[0].path);
    const to = sim.platform.diskFile(copy.disks[0].path);
    const fh = await open(from, 'r+');
    await fh.write(randomBytes(MiB), 0, MiB, 3 * MiB);
    await fh.write(randomBytes(4096), 0, 4096, 20 * MiB + 512);
    await fh.close();

    const before = await diskIdentity(sim.platform, original.disks[0].path);
    const result = await copyDisk(sim.platform, original.disks[0].path, copy.disks[0].path);
    expect((await readFile(to)).equals(await readFile(from))).toBe(true);
    if (!result.reflink) {
      expect(result.bytesCopied).toBe(MiB + 64 * 1024);
      expect((await stat(to)).blocks * 512).toBeLessThan(4 * MiB);
    }
    // reading it changed nothing; a write does
    expect(await diskIdentity(sim.platform, original.disks[0].path)).toBe(before);
    const again = await open(from, 'r+');
    await again.write(Buffer.from('x'), 0, 1, 0);
    await again.close();
    expect(await diskIdentity(sim.platform, original.disks[0].path)).not.toBe(before);
    expect(await diskIdentity(sim.platform, '[recovery-ds] gone/disk-0.img')).toBeNull();

    await emptyDisk(sim.platform, copy.disks[0].path);
    expect([(await stat(to)).size, (await readFile(to)).equals(Buffer.alloc(32 * MiB))]).toEqual([32 * MiB, true]);
  });

  it('copies a disk whose size is no whole number of pieces, data to its last byte', async () => {
    const size = 6 * MiB + 512;
    const original = await sim.platform.createVm(vmSpec('odd', { disks: [{ sizeBytes: size }], owner: null }));
    const copy = await sim.platform.createVm(vmSpec('odd-copy', { disks: [{ sizeBytes: size }] }));
    const fh = await open(sim.platform.diskFile(original.disks[0].path), 'r+');
    await fh.write(randomBytes(MiB + 512), 0, MiB + 512, 5 * MiB);
    await fh.close();
    await copyDisk(sim.platform, original.disks[0].path, copy.disks[0].path);
    const [a, b] = await Promise.all([original, copy].map((vm) => readFile(sim.platform.diskFile(vm.disks[0].path))));
    expect(b.equals(a)).toBe(true);
  });

  it('refuses disks of different sizes', async () => {
    const small = await sim.platform.createVm(vmSpec('small', { disks: [{ sizeBytes: MiB }] }));
    const big = await sim.platform.createVm(vmSpec('big', { disks: [{ sizeBytes: 2 * MiB }] }));
    await expect(copyDisk(sim.platform, small.disks[0].path, big.disks[0].path)).rejects.toThrow(/not a copy of the same size/);
  });
});
