import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Installation, MiB, VCSIM_SETUP_MS, diskHashes, sha256File, sparseImage, waitUntil } from '@jss/testing';

/**
 * vCenter failing under a recovery: a VM deleted under the task, a task vCenter fails, an expired
 * session, vCenter not answering for a while, vCenter killed and started again (a fresh inventory).
 */
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

  /** Every VM of ours in vCenter's inventory but the recovered ones (read from vcsim, not from the services). */
  const temporaries = async () =>
    (await inst.platform.listVms({ owned: true })).filter((v) => v.owner!.kind !== 'recovered').map((v) => v.name);
  const rvmCreated = (id: string) =>
    waitUntil('the RVM created', () => inst.events.of(id, 'vm.created').some((r) => r.event.data.kind === 'rvm'));
  const ended = (id: string) => inst.events.waitFor(id, ['task.completed', 'task.failed'], 60_000);

  afterEach(async () => {
    if (await inst.platform.getVm('recovery', 'app')) await inst.platform.deleteVm('recovery', 'app');
    if (!inst.services.some((s) => s.name.startsWith('rehydrator'))) await inst.add({ rehydrator: 1 });
  });

  it('an RVM deleted in vCenter mid-task: the recovery fails with platform-error and a sentence, and its RocVA is removed', async () => {
    await inst.stopServices('rehydrator'); // the range jobs wait until the RVM is gone
    const id = await inst.publish('failover', { domain: 'shop' });
    await rvmCreated(id);
    expect(await inst.platform.deleteVm('recovery', 'jss-rvm-app')).toBe(true);
    await inst.add({ rehydrator: 1 });
    const end = await ended(id);
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
    const end = await ended(id);
    expect(end.key).toBe('task.completed');
    const vm = await inst.platform.getVm('recovery', 'app');
    expect(vm!.disks.map((d) => d.path)).toEqual(['[LocalDS_0] app (0)/app.vmdk']);
    expect(await diskHashes(inst.platform, vm!)).toEqual([await sha256File(image)]);
    expect(await temporaries()).toEqual([]);
  });

  it('a task vCenter fails (CreateVM_Task of the recovered VM): platform-error naming the fault, and the RocVA and RVM are removed', async () => {
    await inst.stopServices('rehydrator');
    const id = await inst.publish('failover', { domain: 'shop' });
    await rvmCreated(id);
    // from now on vCenter refuses every VM with a NIC on the cluster's distributed port groups
    const undo = await inst.vcsim!.addHostOffSwitch();
    try {
      await inst.add({ rehydrator: 1 });
      const end = await ended(id);
      expect(end.key).toBe('task.failed');
      expect(end.event.data.reason).toBe('platform-error');
      expect(end.event.data.message).toBe(
        'finalize: creating VM app: vCenter answered InvalidArgument: CreateVM_Task ended in error (invalidProperty spec.deviceChange.device.port.switchUuid)',
      );
      await waitUntil('the temporaries removed', async () => (await temporaries()).length === 0, 20_000);
      expect(await inst.platform.getVm('recovery', 'app')).toBeNull();
    } finally {
      await undo();
    }
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
    const end = await ended(id);
    expect(end.key).toBe('task.completed');
    const vm = await inst.platform.getVm('recovery', 'app');
    expect(vm?.powerState).toBe('poweredOn');
    expect(await diskHashes(inst.platform, vm!)).toEqual([await sha256File(image)]);
    expect(await temporaries()).toEqual([]);
  });

  it('vCenter killed and started again while the RVM rehydrates: it forgot the RVM, so the recovery fails with platform-error, and nothing of it is left', async () => {
    await inst.stopServices('rehydrator');
    const id = await inst.publish('failover', { domain: 'shop' });
    await rvmCreated(id);
    await inst.vcsim!.restart();
    await inst.add({ rehydrator: 1 });
    const end = await ended(id);
    expect(end.key).toBe('task.failed');
    expect(end.event.data.reason).toBe('platform-error');
    expect(end.event.data.message).toMatch(/jss-rvm-app/);
    expect(await temporaries()).toEqual([]);
    expect(await inst.platform.getVm('recovery', 'app')).toBeNull();
  });

  it('vCenter killed mid-call and back 3 s later: the task ends (completed, or platform-error), never hangs, and leaves nothing behind', async () => {
    const id = await inst.publish('failover', { domain: 'shop' });
    await inst.events.waitFor(id, ['vm.created']); // the RocVA: the RVM's creation is under way
    await inst.vcsim!.kill();
    await sleep(3000);
    await inst.vcsim!.restart();
    const end = await ended(id);
    if (end.key === 'task.failed') expect(end.event.data.reason).toBe('platform-error');
    else expect(await diskHashes(inst.platform, (await inst.platform.getVm('recovery', 'app'))!)).toEqual([await sha256File(image)]);
    expect(await temporaries()).toEqual([]);
  });
});
