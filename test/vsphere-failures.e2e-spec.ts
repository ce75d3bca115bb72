import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Installation, MiB, VCSIM_SETUP_MS, diskHashes, sha256File, sparseImage } from '@jss/testing';

/** vCenter failing under a recovery: a task vCenter fails, an expired session, vCenter not answering for a while. */
describe('vSphere failures (vcsim)', () => {
  let inst: Installation;
  let image: string;

  beforeAll(async () => {
    inst = await Installation.start(undefined, undefined, { platform: 'vsphere' });
    image = path.join(inst.dataDir, 'app.img');
    await sparseImage(image, 8 * MiB, [0, 5, 7]);
    await inst.writer.writePoint('shop', [{ name: 'app', source: { file: image } }]);
  }, VCSIM_SETUP_MS);
  afterAll(() => inst?.stop());

  const temporaries = async () =>
    (await inst.platform.listVms({ owned: true })).filter((v) => v.owner!.kind !== 'recovered').map((v) => v.name);

  afterEach(async () => {
    if (await inst.platform.getVm('recovery', 'app')) await inst.platform.deleteVm('recovery', 'app');
  });

  it('an RVM deleted in vCenter mid-task: the recovery fails with platform-error and a sentence, and its RocVA is removed', async () => {
    await inst.stopServices('rehydrator'); // the range jobs wait until the RVM is gone
    const id = await inst.publish('failover', { domain: 'shop' });
    while (!inst.events.of(id, 'vm.created').some((r) => r.event.data.kind === 'rvm')) await sleep(100);
    expect(await inst.platform.deleteVm('recovery', 'jss-rvm-app')).toBe(true);
    await inst.add({ rehydrator: 1 });
    const end = await inst.events.waitFor(id, ['task.completed', 'task.failed']);
    expect(end.key).toBe('task.failed');
    expect(end.event.data.reason).toBe('platform-error');
    expect(end.event.data.message).toMatch(/no disk file .*jss-rvm-app-flat\.vmdk/);
    expect(await temporaries()).toEqual([]);
    expect(await inst.platform.getVm('recovery', 'app')).toBeNull();
  });

  it('an expired session mid-task: the services log in again and the recovery completes', async () => {
    // a folder left on the datastore under the VM's name: vSphere puts the VM in "app (0)", its disks follow
    mkdirSync(path.join(inst.vcsim!.datastores.LocalDS_0, 'app'));
    const id = await inst.publish('failover', { domain: 'shop' });
    await inst.events.waitFor(id, ['vm.created']);
    expect(await inst.vcsim!.terminateSessions()).toBeGreaterThan(0);
    const end = await inst.events.waitFor(id, ['task.completed', 'task.failed']);
    expect(end.key).toBe('task.completed');
    const vm = await inst.platform.getVm('recovery', 'app');
    expect(vm!.disks.map((d) => d.path)).toEqual(['[LocalDS_0] app (0)/app.vmdk']);
    expect(await diskHashes(inst.platform, vm!)).toEqual([await sha256File(image)]);
    expect(await temporaries()).toEqual([]);
  });

  it('vCenter not answering for a while mid-task: calls wait for it, and the recovery completes once it answers again', async () => {
    const id = await inst.publish('failover', { domain: 'shop' });
    await inst.events.waitFor(id, ['vm.created']);
    inst.vcsim!.freeze();
    try {
      await sleep(5000);
    } finally {
      inst.vcsim!.thaw();
    }
    const end = await inst.events.waitFor(id, ['task.completed', 'task.failed']);
    expect(end.key).toBe('task.completed');
    const vm = await inst.platform.getVm('recovery', 'app');
    expect(vm?.powerState).toBe('poweredOn');
    expect(await diskHashes(inst.platform, vm!)).toEqual([await sha256File(image)]);
    expect(await temporaries()).toEqual([]);
  });
});
