import { access, readFile, stat, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { GiB, simFixture, vmSpec, type SimFixture } from '@jss/testing';

const TiB = 1024 ** 4;

describe('SimPlatform disks', () => {
  let sim: SimFixture;

  beforeEach(async () => {
    sim = await simFixture();
    await sim.platform.seed();
  });
  afterEach(() => sim.close());

  const exists = (file: string) =>
    access(file).then(
      () => true,
      () => false,
    );
  const freeBytes = async (datastore: string) => (await sim.platform.getDatastore(datastore))?.freeBytes;

  it('creates new disks as sparse image files of their size', async () => {
    const vm = await sim.platform.createVm(vmSpec('jss-rvm-web', { disks: [{ sizeBytes: GiB }, { sizeBytes: 3 * GiB }] }));

    expect(vm.disks).toEqual([
      { path: '[recovery-ds] jss-rvm-web/disk-0.img', sizeBytes: GiB },
      { path: '[recovery-ds] jss-rvm-web/disk-1.img', sizeBytes: 3 * GiB },
    ]);
    for (const disk of vm.disks) {
      const file = await stat(sim.platform.diskFile(disk.path));
      expect(file.size).toBe(disk.sizeBytes);
      expect(file.blocks).toBe(0);
    }
    expect(sim.platform.diskFile(vm.disks[0]!.path)).toBe(`${sim.dataDir}/datastores/recovery-ds/jss-rvm-web/disk-0.img`);
  });

  it('counts provisioned bytes against the datastore and gives them back on delete', async () => {
    await sim.platform.createVm(vmSpec('a', { disks: [{ sizeBytes: 5 * GiB }, { sizeBytes: GiB }] }));
    await sim.platform.createVm(vmSpec('b', { disks: [{ sizeBytes: 2 * GiB }] }));
    expect(await freeBytes('recovery-ds')).toBe(2 * TiB - 8 * GiB);
    expect(await freeBytes('primary-ds')).toBe(2 * TiB);

    await sim.platform.deleteVm('recovery', 'a');
    expect(await freeBytes('recovery-ds')).toBe(2 * TiB - 2 * GiB);
  });

  it('refuses disks that do not fit, also when VMs race for the last bytes', async () => {
    await sim.platform.addDatastore({ name: 'small-ds', site: 'recovery', capacityBytes: 10 * GiB });
    const onSmall = (name: string, size: number) => vmSpec(name, { datastore: 'small-ds', disks: [{ sizeBytes: size }] });
    await sim.platform.createVm(onSmall('six', 6 * GiB));
    const before = await sim.snapshot();

    await expect(sim.platform.createVm(onSmall('too-big', 6 * GiB))).rejects.toMatchObject({
      code: 'datastore-full',
      message: expect.stringContaining(`has ${4 * GiB} bytes free`),
    });
    expect(await sim.snapshot()).toEqual(before);

    const results = await Promise.allSettled(
      ['x', 'y', 'z'].map((name, i) => (i % 2 ? sim.replica() : sim.platform).createVm(onSmall(name, 2 * GiB))),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(2);
    expect(await freeBytes('small-ds')).toBe(0);
  });

  it('opens a disk for positioned writes that land in its image file', async () => {
    const vm = await sim.platform.createVm(vmSpec('jss-rvm-web', { disks: [{ sizeBytes: 1024 ** 2 }] }));
    const disk = await sim.platform.openDisk(vm.disks[0]!.path);
    expect(disk.sizeBytes).toBe(1024 ** 2);
    await disk.write(Buffer.from('hello'), 4096);
    await disk.write(Buffer.from('end'), 1024 ** 2 - 3);
    await expect(disk.write(Buffer.from('past'), 1024 ** 2 - 3)).rejects.toThrow(RangeError);
    await disk.sync();
    await disk.close();

    const bytes = await readFile(sim.platform.diskFile(vm.disks[0]!.path));
    expect(bytes.length).toBe(1024 ** 2);
    expect(bytes.subarray(4096, 4101).toString()).toBe('hello');
    expect(bytes.subarray(-3).toString()).toBe('end');
    expect(bytes.subarray(0, 4096).every((b) => b === 0)).toBe(true);
    await expect(sim.platform.openDisk('[recovery-ds] ghost/disk-0.img')).rejects.toMatchObject({ code: 'unknown-disk' });
  });

  it('moves an adopted disk into the new VM, which then owns it alone', async () => {
    const rvm = await sim.platform.createVm(vmSpec('jss-rvm-web', { disks: [{ sizeBytes: 1024 ** 2 }, { sizeBytes: 2 * 1024 ** 2 }] }));
    const handle = await sim.platform.openDisk(rvm.disks[1]!.path);
    await handle.write(Buffer.from('recovered data'), 0);
    await handle.close();
    const oldFile = sim.platform.diskFile(rvm.disks[1]!.path);

    const web = await sim.platform.createVm(
      vmSpec('web', { owner: { taskId: 'task-1', kind: 'recovered', domain: 'shop' }, disks: [{ adopt: rvm.disks[1]!.path }] }),
    );

    expect(web.disks).toEqual([{ path: '[recovery-ds] web/disk-0.img', sizeBytes: 2 * 1024 ** 2 }]);
    expect((await readFile(sim.platform.diskFile(web.disks[0]!.path))).subarray(0, 14).toString()).toBe('recovered data');
    expect(await exists(oldFile)).toBe(false);
    expect((await sim.platform.getVm('recovery', 'jss-rvm-web'))?.disks).toEqual([rvm.disks[0]]);
    expect(await freeBytes('recovery-ds')).toBe(2 * TiB - 3 * 1024 ** 2);

    await sim.platform.deleteVm('recovery', 'jss-rvm-web');
    expect(await exists(dirname(oldFile))).toBe(false);
    expect(await exists(sim.platform.diskFile(web.disks[0]!.path))).toBe(true);
    expect(await freeBytes('recovery-ds')).toBe(2 * TiB - 2 * 1024 ** 2);
  });

  it('moves the bytes of a disk adopted from another datastore', async () => {
    await sim.platform.addDatastore({ name: 'recovery-ds2', site: 'recovery', capacityBytes: TiB });
    const rvm = await sim.platform.createVm(vmSpec('jss-rvm-web', { disks: [{ sizeBytes: GiB }] }));
    const web = await sim.platform.createVm(vmSpec('web', { datastore: 'recovery-ds2', disks: [{ adopt: rvm.disks[0]!.path }] }));

    expect(web.disks[0]?.path).toBe('[recovery-ds2] web/disk-0.img');
    expect((await stat(sim.platform.diskFile(web.disks[0]!.path))).size).toBe(GiB);
    expect(await freeBytes('recovery-ds')).toBe(2 * TiB);
    expect(await freeBytes('recovery-ds2')).toBe(TiB - GiB);
  });

  it('undoes leases, new files and adoptions when a step after them fails', async () => {
    const rvm = await sim.platform.createVm(vmSpec('jss-rvm-web', { disks: [{ sizeBytes: GiB }, { sizeBytes: GiB }] }));
    // the second disk's file goes missing behind the platform's back: moving it fails after the
    // lease is taken, the first disk is adopted and the new disk is created
    await unlink(sim.platform.diskFile(rvm.disks[1]!.path));
    const before = await sim.snapshot();

    const spec = vmSpec('web', { disks: [{ adopt: rvm.disks[0]!.path }, { sizeBytes: GiB }, { adopt: rvm.disks[1]!.path }] });
    await expect(sim.platform.createVm(spec)).rejects.toMatchObject({ code: 'ENOENT' });

    expect(await sim.snapshot()).toEqual(before);
    expect(await sim.platform.getVm('recovery', 'web')).toBeNull();
  });

  it('deletes the disk files and the folder of a deleted VM', async () => {
    const vm = await sim.platform.createVm(vmSpec('jss-tvm-web', { disks: [{ sizeBytes: GiB }, { sizeBytes: GiB }] }));
    const files = vm.disks.map((disk) => sim.platform.diskFile(disk.path));

    expect(await sim.platform.deleteVm('recovery', 'jss-tvm-web')).toBe(true);
    expect(await Promise.all(files.map(exists))).toEqual([false, false]);
    expect(await exists(dirname(files[0]!))).toBe(false);
    expect(await exists(`${sim.dataDir}/datastores/recovery-ds`)).toBe(true);
  });
});
