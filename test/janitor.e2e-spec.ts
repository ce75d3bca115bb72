import { Installation, PLATFORM_BACKENDS, VCSIM_SETUP_MS, recoveryVm, waitUntil } from '@jss/testing';

/**
 * What a crash leaves behind is swept; what the system did not create (vcsim's own DC0_H0_VM0, ...),
 * or a live task still uses, is not. On the simulated vCenter and on vcsim.
 */
describe.each(PLATFORM_BACKENDS)('janitor orphan sweep (%s)', (platform) => {
  let inst: Installation;

  beforeAll(async () => {
    inst = await Installation.start(
      { planner: 1, provisioner: 1, rehydrator: 1, janitor: 1 },
      { JANITOR_SWEEP_SECONDS: '1', JANITOR_GRACE_SECONDS: '0' },
      { platform },
    );
  }, VCSIM_SETUP_MS);
  afterAll(() => inst?.stop());

  const vm = (name: string, owner: { taskId: string; kind: 'rvm' | 'tvm' | 'rocva' | 'recovered'; domain: string } | null) =>
    recoveryVm(inst.platform, name, { owner, powerOn: true });

  it("removes RVMs, Test VMs and a RocVA of dead tasks; keeps user VMs, recovered VMs and a live task's temporaries", async () => {
    const theirs = (await inst.platform.listVms()).map((v) => v.name);
    // a live task: its record in Redis, and its RVM
    const now = new Date().toISOString();
    await inst.tasks.create({
      id: 'task-live',
      commandId: 'c-live',
      operation: 'failover',
      domain: 'd1',
      state: 'rehydrating',
      vms: ['kept'],
      point: { id: 'rp', time: now },
      target: { site: 'recovery', cluster: 'recovery-cluster', datastore: 'recovery-ds', network: 'recovery-net' },
      spec: { temporaryNetwork: 'recovery-net', finals: [], bootOrder: [] },
      bytesTotal: 0,
      createdAt: now,
      updatedAt: now,
    });
    await vm('jss-rvm-kept', { taskId: 'task-live', kind: 'rvm', domain: 'd1' });
    await vm('jss-rvm-lost', { taskId: 'task-crashed', kind: 'rvm', domain: 'd2' });
    await vm('jss-tvm-lost', { taskId: 'task-crashed', kind: 'tvm', domain: 'd2' });
    await vm('jss-rocva-d2', { taskId: 'task-crashed', kind: 'rocva', domain: 'd2' });
    await vm('payroll', null);
    await vm('restored', { taskId: 'task-crashed', kind: 'recovered', domain: 'd2' });

    // the sweep deletes a VM, then publishes its vm.deleted: wait for both, or the events can lag the inventory
    const swept = ['jss-rocva-d2', 'jss-rvm-lost', 'jss-tvm-lost'];
    const deletedNames = () => inst.events.all.filter((r) => r.key === 'vm.deleted').map((r) => String(r.event.data.name));
    let names: string[] = [];
    const sweptAndAnnounced = async () => {
      names = (await inst.platform.listVms()).map((v) => v.name);
      return swept.every((n) => !names.includes(n) && deletedNames().includes(n));
    };
    await waitUntil('the sweep deleted and announced the orphans', sweptAndAnnounced, 30_000, 250);
    expect(names.sort()).toEqual([...theirs, 'jss-rvm-kept', 'payroll', 'restored'].sort());
    expect(deletedNames().sort()).toEqual(swept);
  });
});
