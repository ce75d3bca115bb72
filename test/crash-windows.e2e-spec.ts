import { Installation, MiB, diskHashes, waitUntil } from '@jss/testing';

/**
 * A provisioner killed inside a VM creation, between reserving (name, DHCP lease, datastore bytes,
 * adopted disks) and committing: the redelivered step rolls the dead attempt back and completes,
 * and nothing it had taken is lost. The kill is the simulated platform's own (JSS_TEST_CRASH_AT).
 * A janitor killed between deleting a task's VMs and announcing it: the redelivered release announces them.
 */
describe('crash windows of a VM creation and deletion', () => {
  let inst: Installation;
  const POOL = 200;

  beforeAll(async () => {
    inst = await Installation.start({ planner: 1, rehydrator: 1, janitor: 1 });
    await inst.writer.writePoint('cw', [
      { name: 'one', source: { sizeBytes: 3 * MiB, seed: 1 } },
      { name: 'two', source: { sizeBytes: 2 * MiB, seed: 2 } },
    ]);
  });
  afterAll(() => inst?.stop());

  /** Datastore bytes and DHCP leases are exactly those of the VMs that exist. */
  async function expectNothingLeaked(): Promise<void> {
    const vms = await inst.platform.listVms({ site: 'recovery' });
    const ds = (await inst.platform.getDatastore('recovery-ds'))!;
    const onDs = vms.filter((v) => v.datastore === 'recovery-ds').flatMap((v) => v.disks);
    expect(ds.capacityBytes - ds.freeBytes).toBe(onDs.reduce((n, d) => n + d.sizeBytes, 0));
    const net = (await inst.platform.getNetwork('recovery-net'))!;
    expect(POOL - net.freeAddresses).toBe(vms.flatMap((v) => v.nics).filter((n) => n.network === 'recovery-net').length);
  }

  async function failoverThroughCrash(crashAt: string): Promise<void> {
    await inst.add({ provisioner: 1 }, { JSS_TEST_CRASH_AT: crashAt });
    const crashing = inst.services.at(-1)!;
    const id = await inst.publish('failover', { domain: 'cw' });
    await waitUntil(
      'the provisioner crashed where it was told',
      () => crashing.child.signalCode !== null || crashing.child.exitCode !== null,
    );
    expect(crashing.child.signalCode).toBe('SIGKILL');
    await inst.add({ provisioner: 1 });
    const end = await inst.events.waitFor(id, ['task.completed', 'task.failed'], 180_000);
    expect(end.key).toBe('task.completed');
    // the same point restored without a crash gives the same bytes
    const check = await inst.run('restore', { domain: 'cw', vms: ['one', 'two'], rename: { one: 'one-check', two: 'two-check' } });
    expect(check.end.key).toBe('task.completed');
    for (const name of ['one', 'two']) {
      const vm = await inst.platform.getVm('recovery', name);
      expect(vm?.powerState).toBe('poweredOn');
      const again = await inst.platform.getVm('recovery', `${name}-check`);
      expect(await diskHashes(inst.platform, vm!)).toEqual(await diskHashes(inst.platform, again!));
      await inst.platform.deleteVm('recovery', `${name}-check`);
    }
    expect((await inst.platform.listVms()).filter((v) => v.name.startsWith('jss-'))).toEqual([]);
    await expectNothingLeaked();
  }

  it('killed after laying down a new VM disk, before recording the VM: the redelivered prepare completes', async () => {
    await failoverThroughCrash('create-before-commit');
  });

  it("killed after adopting an RVM's disks, before recording the recovered VM: the redelivered finalize completes", async () => {
    for (const name of ['one', 'two']) await inst.platform.deleteVm('recovery', name);
    await inst.stopServices('provisioner');
    await failoverThroughCrash('adopt-before-commit');
    const one = (await inst.platform.getVm('recovery', 'one'))!;
    const tvmLike = await inst.run('restore', { domain: 'cw', vms: ['one'], rename: { one: 'one-again' } });
    expect(tvmLike.end.key).toBe('task.completed');
    expect(await diskHashes(inst.platform, one)).toEqual(
      await diskHashes(inst.platform, (await inst.platform.getVm('recovery', 'one-again'))!),
    );
  });

  it('a janitor killed after deleting a task’s VMs, before announcing them: the redelivered release announces each, once', async () => {
    const alive = (name: string) => inst.services.some((s) => s.name.startsWith(name) && s.child.exitCode === null && !s.child.signalCode);
    if (!alive('provisioner')) await inst.add({ provisioner: 1 });
    await inst.stopServices('janitor');
    await inst.add({ janitor: 1 }, { JSS_TEST_CRASH_AT: 'release-before-announce' });
    const crashing = inst.services.at(-1)!;
    const id = await inst.publish('restore', { domain: 'cw', vms: ['one'], rename: { one: 'one-r' } });
    await waitUntil('the janitor crashed where it was told', () => crashing.child.signalCode !== null || crashing.child.exitCode !== null);
    expect(crashing.child.signalCode).toBe('SIGKILL');
    expect((await inst.platform.listVms()).filter((v) => v.name.startsWith('jss-'))).toEqual([]);
    await inst.add({ janitor: 1 });
    const end = await inst.events.waitFor(id, ['task.completed', 'task.failed'], 120_000);
    expect(end.key).toBe('task.completed');
    const names = (key: string) => inst.events.of(id, key).map((r) => String(r.event.data.name));
    const temporaries = inst.events.of(id, 'vm.created').filter((r) => r.event.data.kind !== 'recovered');
    expect(temporaries.length).toBeGreaterThan(0);
    expect(names('vm.deleted').sort()).toEqual(temporaries.map((r) => String(r.event.data.name)).sort());
    expect(names('appliance.deleted')).toEqual(names('appliance.created'));
    await inst.platform.deleteVm('recovery', 'one-r');
  });
});
