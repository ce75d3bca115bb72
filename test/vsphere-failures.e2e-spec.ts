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
  const ended = (id: string) => inst.events.waitFor(id, ['task.completed', 'task.failed'], 60_000);

  afterEach(async () => {
    if (await inst.platform.getVm('recovery', 'app')) await inst.platform.deleteVm('recovery', 'app');
    if (!inst.services.some((s) => s.name.startsWith('rehydrator'))) await inst.add({ rehydrator: 1 });
  });

  /**
   * Something happens in vCenter while the task waits for its rehydrator (RocVA and RVM made): the
   * recovery fails with platform-error and a sentence, and nothing of it is left in the inventory.
   */
  const whileRehydrating: Array<{ what: string; happen: () => Promise<(() => Promise<void>) | void>; message: unknown }> = [
    {
      what: 'an RVM deleted in vCenter',
      happen: async () => void expect(await inst.platform.deleteVm('recovery', 'jss-rvm-app')).toBe(true),
      message: expect.stringMatching(/no disk file .*jss-rvm-app-flat\.vmdk/),
    },
    {
      // from then on vCenter fails every CreateVM_Task with a NIC on the cluster's distributed port groups
      what: 'a task vCenter fails (CreateVM_Task of the recovered VM: a host of the cluster is off the switch)',
      happen: () => inst.vcsim!.addHostOffSwitch(),
      message:
        'finalize: creating VM app: vCenter answered InvalidArgument: CreateVM_Task ended in error (invalidProperty spec.deviceChange.device.port.switchUuid)',
    },
    {
      // the outcome of a kill that makes vCenter forget what the task made (forced: the RVM is made, the range jobs wait)
      what: 'vCenter killed and started again 3 s later (a fresh inventory, without the RVM)',
      happen: async () => {
        await inst.vcsim!.kill();
        await sleep(3000); // timed on purpose: the outage itself, vCenter gone for 3 s
        await inst.vcsim!.restart();
      },
      message:
        "finalize: no VM of site recovery has the disk [LocalDS_0] jss-rvm-app/jss-rvm-app.vmdk: the VM it was rehydrated in is gone from vCenter's inventory",
    },
  ];
  it.each(whileRehydrating)(
    '$what mid-task: platform-error and a sentence, and nothing of the task is left',
    async ({ happen, message }) => {
      await inst.stopServices('rehydrator'); // the range jobs wait
      const id = await inst.publish('failover', { domain: 'shop' });
      await waitUntil('the RVM created', () => inst.events.of(id, 'vm.created').some((r) => r.event.data.kind === 'rvm'));
      const undo = await happen();
      try {
        await inst.add({ rehydrator: 1 });
        const end = await ended(id);
        expect(end.key).toBe('task.failed');
        expect(end.event.data).toMatchObject({ reason: 'platform-error', message });
        await waitUntil('the temporaries removed', async () => (await temporaries()).length === 0, 20_000);
        expect(await inst.platform.getVm('recovery', 'app')).toBeNull();
      } finally {
        await undo?.();
      }
    },
  );

  it('an expired session mid-task: the services log in again and the recovery completes', async () => {
    // a folder left on the datastore under the VM's name: vSphere puts the VM in "app (0)", its disks follow
    mkdirSync(path.join(inst.vcsim!.datastores.LocalDS_0, 'app'), { recursive: true });
    const id = await inst.publish('failover', { domain: 'shop' });
    await inst.events.waitFor(id, ['vm.created']);
    expect(await inst.vcsim!.terminateSessions()).toBeGreaterThan(0);
    const end = await ended(id);
    expect(end.key).toBe('task.completed');
    const vm = await inst.platform.getVm('recovery', 'app');
    expect(vm!.disks.map((d) => d.path)).toEqual([expect.stringMatching(/^\[LocalDS_0\] app \(\d+\)\/app\.vmdk$/)]);
    expect(await diskHashes(inst.platform, vm!)).toEqual([await sha256File(image)]);
    expect(await temporaries()).toEqual([]);
  });

  it('vCenter not answering for 5 s (the network to it stops delivering) while the RVM is being made: calls wait for it and the recovery completes', async () => {
    const id = await inst.publish('failover', { domain: 'shop' });
    await inst.events.waitFor(id, ['vm.created']); // the RocVA
    inst.vcsim!.freeze();
    // timed on purpose: the outage itself, 5 s, well within the SOAP client's 60 s budget
    await sleep(5000).finally(() => inst.vcsim!.thaw());
    await expectRecovered(id);
  });

  // vCenter killed and started again 3 s later (a fresh inventory, no sessions): whether the task
  // completes depends on what the kill makes vCenter forget. Each outcome has its own test, forced by
  // where vCenter is killed: here before the task made anything; above, once its RVM is made.

  it('vCenter down before the task’s first call, back 3 s later: its calls wait for it and the recovery completes', async () => {
    await inst.vcsim!.kill();
    const id = await inst.publish('failover', { domain: 'shop' });
    await sleep(3000); // timed on purpose: the outage itself, vCenter gone for 3 s while the task's calls are refused
    await inst.vcsim!.restart();
    await expectRecovered(id);
  });

  /** The task completed: its VM runs with the protected disk's bytes, and nothing else of it is left. */
  async function expectRecovered(id: string) {
    const end = await ended(id);
    expect(end.key).toBe('task.completed');
    const vm = await inst.platform.getVm('recovery', 'app');
    expect(vm?.powerState).toBe('poweredOn');
    expect(await diskHashes(inst.platform, vm!)).toEqual([await sha256File(image)]);
    expect(await temporaries()).toEqual([]);
  }
});
