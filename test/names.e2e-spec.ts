import { Installation, MiB, diskHashes } from '@jss/testing';

/** Temporary names never collide between tasks that run at once; a conflict is refused up front. */
describe('names of tasks running at once', () => {
  let inst: Installation;
  const jssVms = async () => (await inst.platform.listVms()).filter((v) => v.name.startsWith('jss-'));

  beforeAll(async () => {
    inst = await Installation.start({ planner: 1, provisioner: 2, rehydrator: 2, janitor: 1 });
    for (const [domain, seed] of [
      ['east', 1],
      ['west', 2],
    ] as const) {
      await inst.writer.writePoint(domain, [
        { name: 'a', source: { sizeBytes: 3 * MiB, seed } },
        { name: 'b', source: { sizeBytes: 2 * MiB, seed: seed + 10 } },
      ]);
    }
  });
  afterAll(() => inst?.stop());

  it('two domains with the same VM names fail over, test and restore at once: all complete', async () => {
    const [failover, testEast, testWest, restore] = await Promise.all([
      inst.run('failover', { domain: 'east' }),
      inst.run('test-failover', { domain: 'east' }),
      inst.run('test-failover', { domain: 'west' }),
      inst.run('restore', { domain: 'west', vms: ['a', 'b'], rename: { a: 'west-a', b: 'west-b' } }),
    ]);
    expect([failover.end.key, testEast.end.key, testWest.end.key, restore.end.key]).toEqual([
      'task.completed',
      'task.ready',
      'task.ready',
      'task.completed',
    ]);
    for (const vm of ['a', 'b']) {
      const east = await inst.platform.getVm('recovery', vm);
      const west = await inst.platform.getVm('recovery', `west-${vm}`);
      expect(await diskHashes(inst.platform, (await inst.platform.getVm('recovery', `jss-tvm-east-${vm}`))!)).toEqual(
        await diskHashes(inst.platform, east!),
      );
      expect(await diskHashes(inst.platform, (await inst.platform.getVm('recovery', `jss-tvm-west-${vm}`))!)).toEqual(
        await diskHashes(inst.platform, west!),
      );
    }
    const rvms = inst.events.of(restore.id, 'vm.created').filter((r) => r.event.data.kind === 'rvm');
    expect(rvms.map((r) => r.event.data.name).sort()).toEqual(['jss-rvm-west-a', 'jss-rvm-west-b']);
    for (const t of [testEast, testWest]) await inst.publish('test-cleanup', { taskId: t.end.event.subject });
    for (const t of [testEast, testWest])
      expect((await inst.events.waitFor(t.id, ['task.completed', 'task.failed'])).key).toBe('task.completed');
    expect(await jssVms()).toEqual([]);
  });

  it('one VM restored twice at once under two names: both complete', async () => {
    const [one, two] = await Promise.all([
      inst.run('restore', { domain: 'east', vms: ['a'], rename: { a: 'a-one' } }),
      inst.run('restore', { domain: 'east', vms: ['a'], rename: { a: 'a-two' } }),
    ]);
    expect([one.end.key, two.end.key]).toEqual(['task.completed', 'task.completed']);
    expect(await diskHashes(inst.platform, (await inst.platform.getVm('recovery', 'a-one'))!)).toEqual(
      await diskHashes(inst.platform, (await inst.platform.getVm('recovery', 'a-two'))!),
    );
    expect(await jssVms()).toEqual([]);
  });

  it('two commands wanting one name at once: one completes, the other is refused vm-busy before anything is created', async () => {
    const runs = await Promise.all([0, 1, 2].map(() => inst.run('restore', { domain: 'west', vms: ['a'], rename: { a: 'contested' } })));
    const keys = runs.map((r) => r.end.key).sort();
    expect(keys).toEqual(['command.rejected', 'command.rejected', 'task.completed']);
    for (const r of runs.filter((x) => x.end.key === 'command.rejected')) {
      expect(['vm-busy', 'vm-exists']).toContain(r.end.event.data.reason);
      expect(inst.events.of(r.id, 'vm.created')).toEqual([]);
    }
    expect(inst.events.all.filter((r) => r.key === 'task.failed')).toEqual([]);
    // the name was released with its task: a replace may take it now
    const replaced = await inst.run('restore', { domain: 'west', vms: ['a'], rename: { a: 'contested' }, replace: true });
    expect(replaced.end.key).toBe('task.completed');
    expect(await jssVms()).toEqual([]);
  });
});
