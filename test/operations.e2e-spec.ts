import path from 'node:path';
import { writeGeneratedImage } from '@jss/replica';
import { BACKENDS, Installation, MiB, VCSIM_SETUP_MS, diskHashes, inventorySnapshot, sha256File } from '@jss/testing';

/** restore, test failover (cleanup and time limit), dry run, boot order and network map, pre-flight checks; on every back end. */
describe.each(BACKENDS)('recovery operations end to end ($platform, $store store)', (backend) => {
  let inst: Installation;
  const img: Record<string, string> = {};
  let firstPoint: string;
  // these add a network or a datastore to the inventory, which only the simulated vCenter lets a test do
  const simOnly = backend.platform === 'sim' ? it : it.skip;

  beforeAll(async () => {
    inst = await Installation.start(undefined, undefined, backend);
    for (const [name, size, seed] of [
      ['app', 5 * MiB + 333, 1],
      ['db', 3 * MiB, 2],
      ['app2', 5 * MiB + 333, 3],
    ] as const) {
      img[name] = path.join(inst.dataDir, `${name}.img`);
      await writeGeneratedImage(img[name], size, seed, name);
    }
    firstPoint = (
      await inst.writer.writePoint('ops', [
        { name: 'app', source: { file: img.app } },
        { name: 'db', source: { file: img.db } },
      ])
    ).id;
    // a newer point in which app holds other bytes
    await inst.writer.writePoint('ops', [{ name: 'app', source: { file: img.app2 } }]);
  }, VCSIM_SETUP_MS);
  afterAll(() => inst?.stop());

  const jssVms = async () => (await inst.platform.listVms()).filter((v) => v.name.startsWith('jss-'));

  it('restore: a VM at an older point under a new name, through an RVM and no RocVA', async () => {
    const { id, end } = await inst.run('restore', { domain: 'ops', vms: ['app'], recoveryPoint: firstPoint, rename: { app: 'app-old' } });
    expect(end.key).toBe('task.completed');
    const vm = await inst.platform.getVm('recovery', 'app-old');
    expect(vm?.powerState).toBe('poweredOn');
    expect(await diskHashes(inst.platform, vm!)).toEqual([await sha256File(img.app)]);
    expect(inst.events.of(id, 'appliance.created')).toHaveLength(0);
    expect(inst.events.of(id, 'vm.created').map((r) => r.event.data.name)).toEqual(['jss-rvm-app-old', 'app-old']);
    expect(await jssVms()).toEqual([]);
    const report = (await inst.events.waitFor(id, ['task.report'])).event.data;
    expect(report).toMatchObject({ outcome: 'completed', operation: 'restore' });
    expect((report.vms as Array<{ name: string; bytes: number }>)[0]).toMatchObject({ name: 'app', bytes: 5 * MiB + 333 });
  });

  it('restore refuses a name that is taken, and replaces it when told to', async () => {
    const before = await inventorySnapshot(inst.platform);
    const refused = await inst.run('restore', { domain: 'ops', vms: ['app'], rename: { app: 'app-old' } });
    expect(refused.end.key).toBe('command.rejected');
    expect(refused.end.event.data.reason).toBe('vm-exists');
    expect(await inventorySnapshot(inst.platform)).toEqual(before);
    const replaced = await inst.run('restore', { domain: 'ops', vms: ['app'], rename: { app: 'app-old' }, replace: true });
    expect(replaced.end.key).toBe('task.completed');
    const vm = await inst.platform.getVm('recovery', 'app-old');
    expect(await diskHashes(inst.platform, vm!)).toEqual([await sha256File(img.app2)]);
  });

  it('test failover: Test VMs on the isolated network until test-cleanup; production untouched; a second test refused', async () => {
    const id = await inst.publish('test-failover', { domain: 'ops', recoveryPoint: firstPoint });
    const ready = await inst.events.waitFor(id, ['task.ready', 'task.failed', 'command.rejected']);
    expect(ready.key).toBe('task.ready');
    const taskId = ready.event.subject!;
    for (const name of ['app', 'db']) {
      const tvm = await inst.platform.getVm('recovery', `jss-tvm-ops-${name}`);
      expect(tvm).toMatchObject({ powerState: 'poweredOn', owner: { taskId, kind: 'tvm' } });
      expect(tvm!.nics[0].network).toBe('recovery-test-net');
      expect(await diskHashes(inst.platform, tvm!)).toEqual([await sha256File(img[name])]);
      expect(await inst.platform.getVm('recovery', name)).toBeNull();
    }
    // the RocVA was only needed while rehydrating
    expect(inst.events.of(id, 'appliance.created')).toHaveLength(1);
    expect(inst.events.of(id, 'appliance.deleted')).toHaveLength(1);

    const second = await inst.run('test-failover', { domain: 'ops', vms: ['db'] });
    expect(second.end.event.data.reason).toBe('vm-busy');

    const cleanup = await inst.publish('test-cleanup', { taskId });
    const done = await inst.events.waitFor(id, ['task.completed', 'task.failed']);
    expect(done.key).toBe('task.completed');
    expect(inst.events.of(cleanup, 'command.rejected')).toEqual([]);
    expect(await jssVms()).toEqual([]);
    expect((await inst.tasks.get(taskId))?.state).toBe('completed');
  });

  it('test failover refuses a network that is not isolated', async () => {
    const { end } = await inst.run('test-failover', { domain: 'ops', target: { network: 'recovery-net' } });
    expect(end.event.data.reason).toBe('network-not-isolated');
  });

  it('test failover with a time limit is cleaned up without a command', async () => {
    const id = await inst.publish('test-failover', { domain: 'ops', vms: ['db'], ttl: 1 });
    const ready = await inst.events.waitFor(id, ['task.ready']);
    expect(ready.event.data.expiresAt).toEqual(expect.any(String));
    const end = await inst.events.waitFor(id, ['task.completed', 'task.failed'], 30_000);
    expect(end.key).toBe('task.completed');
    expect(await jssVms()).toEqual([]);
  });

  it('dry run: answers task.planned and changes nothing', async () => {
    const before = await inventorySnapshot(inst.platform);
    const tasksBefore = (await inst.tasks.list()).length;
    const { end } = await inst.run('failover', { domain: 'ops', dryRun: true });
    expect(end.key).toBe('task.planned');
    expect(end.event.data).toMatchObject({ operation: 'failover', domain: 'ops', vms: ['app', 'db'] });
    expect((end.event.data.create as Array<{ name: string }>).map((c) => c.name)).toEqual([
      'jss-rocva-ops',
      'jss-rvm-app',
      'jss-rvm-db',
      'app',
      'db',
    ]);
    expect(end.event.data.bytesToRehydrate).toBeGreaterThan(0);
    expect(end.event.data.bytesToRehydrate).toBeLessThanOrEqual(8 * MiB + 333);
    expect(end.event.data.estimatedSeconds).toEqual(expect.any(Number));
    expect(await inventorySnapshot(inst.platform)).toEqual(before);
    expect(await inst.tasks.list()).toHaveLength(tasksBefore);
  });

  simOnly('pre-flight: a DHCP pool with one free address refuses a two-VM failover and changes nothing', async () => {
    await inst.sim.addNetwork({ name: 'tiny-net', site: 'recovery', dhcp: true, poolSize: 1 });
    const before = await inventorySnapshot(inst.platform);
    const { end } = await inst.run('failover', { domain: 'ops', target: { network: 'tiny-net' } });
    expect(end.event.data.reason).toBe('dhcp-exhausted');
    expect(end.event.data.message).toMatch(/tiny-net.*1 free/);
    expect(await inventorySnapshot(inst.platform)).toEqual(before);
  });

  simOnly('pre-flight: a datastore without room for the disks refuses the command and changes nothing', async () => {
    await inst.sim.addDatastore({ name: 'small-ds', site: 'recovery', capacityBytes: 4 * MiB });
    const before = await inventorySnapshot(inst.platform);
    const { end } = await inst.run('restore', {
      domain: 'ops',
      vms: ['app', 'db'],
      rename: { app: 'app-s', db: 'db-s' },
      target: { datastore: 'small-ds' },
    });
    expect(end.event.data.reason).toBe('datastore-full');
    expect(end.event.data.message).toMatch(/small-ds/);
    expect(await inventorySnapshot(inst.platform)).toEqual(before);
  });

  it('pre-flight: a missing block refuses the command before anything is created', async () => {
    await inst.writer.writePoint('holes', [{ name: 'h1', source: { sizeBytes: 2 * MiB, seed: 8 } }]);
    const point = await inst.replica.resolvePoint('holes');
    const hash = point!.vms[0].disks[0].blocks.find((b) => b !== null)!;
    await inst.store.delete(`holes/blocks/${hash.slice(0, 2)}/${hash}`);
    const before = await inventorySnapshot(inst.platform);
    const { end } = await inst.run('failover', { domain: 'holes' });
    expect(end.event.data.reason).toBe('blocks-missing');
    expect(end.event.data.message).toContain(hash);
    expect(await inventorySnapshot(inst.platform)).toEqual(before);
  });

  it('failover refuses a static address outside its network’s range, naming the VM and the range; nothing changes', async () => {
    const before = await inventorySnapshot(inst.platform);
    const { end } = await inst.run('failover', { domain: 'ops', networkMap: { app: { network: 'recovery-static-net', ip: '10.99.0.5' } } });
    expect(end.key).toBe('command.rejected');
    expect(end.event.data).toMatchObject({
      reason: 'invalid-command',
      message: 'networkMap: VM "app" may not be re-addressed: 10.99.0.5 is outside network "recovery-static-net" (10.22.0.0/24)',
    });
    expect(await inventorySnapshot(inst.platform)).toEqual(before);
  });

  it('failover with a boot order and a network map: db up before app; app on a static address', async () => {
    const { id, end } = await inst.run('failover', {
      domain: 'ops',
      bootOrder: [['db'], ['app']],
      networkMap: { app: { network: 'recovery-static-net', ip: '10.22.0.5' } },
    });
    expect(end.key).toBe('task.completed');
    const app = await inst.platform.getVm('recovery', 'app');
    expect(app?.nics).toEqual([{ network: 'recovery-static-net', ip: '10.22.0.5' }]);
    const db = await inst.platform.getVm('recovery', 'db');
    expect(db?.nics[0].network).toBe('recovery-net');
    const task = await inst.tasks.get(end.event.subject!);
    const at = Object.fromEntries(task!.recovered!.map((r) => [r.vm, Date.parse(r.poweredOnAt)]));
    expect(at.db).toBeLessThanOrEqual(at.app);
    const report = (await inst.events.waitFor(id, ['task.report'])).event.data;
    expect(report.rtoSeconds).toEqual(expect.any(Number));
    expect(report.vms).toHaveLength(2);
  });
});
