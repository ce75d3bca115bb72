import { QUEUES } from '@jss/contract';
import { Installation, MiB, metricValue } from '@jss/testing';

/**
 * Two failover tasks of one domain at once, with two provisioner processes: one RocVA, shared. The
 * two tasks put four messages on the provisioners' queue (a prepare and a finalize each), which the
 * broker hands to its consumers in turn, so each process must handle some of them.
 */
describe('one RocVA per domain across concurrent tasks and provisioner replicas', () => {
  let inst: Installation;
  /** Messages each provisioner process handled to the end (acked), in the order of inst.services. */
  const provisionerAcks = () =>
    Promise.all(
      inst.services
        .filter((s) => s.name.startsWith('provisioner'))
        .map((s) => metricValue(s, 'jss_messages_total', { queue: QUEUES.provisionerWork, outcome: 'ack' })),
    );

  beforeAll(async () => {
    inst = await Installation.start({ planner: 1, provisioner: 2, rehydrator: 2, janitor: 1 });
    await inst.writer.writePoint(
      'erp',
      ['a', 'b', 'c', 'd'].map((name, i) => ({ name, source: { sizeBytes: (4 + i) * MiB, seed: i } })),
    );
  });
  afterAll(() => inst?.stop());

  it('creates the RocVA once and deletes it only after both tasks are done with it', async () => {
    const acksBefore = await provisionerAcks();
    const [first, second] = await Promise.all([
      inst.run('failover', { domain: 'erp', vms: ['a', 'b'] }),
      inst.run('failover', { domain: 'erp', vms: ['c', 'd'] }),
    ]);
    expect(first.end.key).toBe('task.completed');
    expect(second.end.key).toBe('task.completed');

    const ids = [first.id, second.id];
    const ofBoth = inst.events.all.filter((r) => ids.includes(r.event.data.commandId as string));
    const created = ofBoth.filter((r) => r.key === 'appliance.created');
    const deleted = ofBoth.filter((r) => r.key === 'appliance.deleted');
    expect(created.map((r) => r.event.data.name)).toEqual(['jss-rocva-erp']);
    expect(deleted.map((r) => r.event.data.name)).toEqual(['jss-rocva-erp']);
    // both tasks had their recovered VMs made before the RocVA went away
    const recovered = ofBoth.filter((r) => r.key === 'vm.created' && r.event.data.kind === 'recovered');
    expect(recovered.map((r) => r.event.data.name).sort()).toEqual(['a', 'b', 'c', 'd']);
    expect(Math.max(...recovered.map((r) => Date.parse(r.event.time!)))).toBeLessThanOrEqual(Date.parse(deleted[0].event.time!));

    const names = (await inst.platform.listVms({ site: 'recovery' })).map((v) => v.name);
    expect(names).toEqual(['a', 'b', 'c', 'd']);
    // both provisioner processes were up and consuming (competing consumers on one queue)
    expect(inst.services.filter((s) => s.name.startsWith('provisioner'))).toHaveLength(2);
    const handled = (await provisionerAcks()).map((n, i) => n - acksBefore[i]);
    expect(Math.min(...handled)).toBeGreaterThan(0);
    // two prepares and two finalizes in all, each handled once
    expect(handled[0] + handled[1]).toBe(4);
  });

  it('refuses a task on a VM that a live task is already recovering', async () => {
    await inst.writer.writePoint('big', [{ name: 'x', source: { sizeBytes: 64 * MiB, seed: 9 } }]);
    const first = await inst.publish('failover', { domain: 'big' });
    await inst.events.waitFor(first, ['task.accepted']);
    const second = await inst.run('failover', { domain: 'big' });
    expect(second.end.key).toBe('command.rejected');
    expect(['vm-busy', 'vm-exists']).toContain(second.end.event.data.reason);
    expect((await inst.events.waitFor(first, ['task.completed', 'task.failed'])).key).toBe('task.completed');
  });

  it('a domain recovering at two sites at once has one RocVA at each, and each goes with its last task there', async () => {
    const placed = { cluster: 'primary-cluster', datastore: 'primary-ds', network: 'primary-test-net' };
    const rocvas = async () => (await inst.platform.listVms({ kind: 'rocva' })).filter((v) => v.owner?.domain === 'erp');
    const [atRecovery, atPrimary] = await Promise.all([
      inst.run('test-failover', { domain: 'erp', vms: ['a'] }),
      inst.run('test-failover', { domain: 'erp', vms: ['b'], target: placed }),
    ]);
    expect([atRecovery.end.key, atPrimary.end.key]).toEqual(['task.ready', 'task.ready']);
    const ofBoth = inst.events.all.filter((r) => [atRecovery.id, atPrimary.id].includes(r.event.data.commandId as string));
    const sites = (key: string) =>
      ofBoth
        .filter((r) => r.key === key)
        .map((r) => r.event.data.site)
        .sort();
    expect(sites('appliance.created')).toEqual(['primary', 'recovery']);
    expect(sites('appliance.deleted')).toEqual(['primary', 'recovery']);
    for (const t of [atRecovery, atPrimary]) {
      await inst.publish('test-cleanup', { taskId: t.end.event.subject });
      expect((await inst.events.waitFor(t.id, ['task.completed', 'task.failed'])).key).toBe('task.completed');
    }
    expect(await rocvas()).toEqual([]);
  });
});
