import { Installation, MiB, diskHashes } from '@jss/testing';

/** A failover and a test failover of one domain at once; and cancel in the middle of rehydration. */
describe('operations at the same time', () => {
  let inst: Installation;

  beforeAll(async () => {
    // a throttled store so that rehydration lasts long enough to be cancelled
    inst = await Installation.start({ planner: 1, provisioner: 1, rehydrator: 2, janitor: 1 }, { JSS_STORE_MBPS: '40' });
    await inst.writer.writePoint('pay', [
      { name: 'api', source: { sizeBytes: 6 * MiB, seed: 1 } },
      { name: 'ledger', source: { sizeBytes: 8 * MiB, seed: 2 } },
    ]);
    await inst.writer.writePoint('slow', [{ name: 'big', source: { sizeBytes: 200 * MiB, seed: 3 } }]);
  });
  afterAll(() => inst?.stop());

  it('failover and test failover of the same domain: both correct, one RocVA', async () => {
    const [prod, test] = await Promise.all([inst.run('failover', { domain: 'pay' }), inst.run('test-failover', { domain: 'pay' })]);
    expect(prod.end.key).toBe('task.completed');
    expect(test.end.key).toBe('task.ready');
    for (const vm of ['api', 'ledger']) {
      const recovered = await inst.platform.getVm('recovery', vm);
      const tvm = await inst.platform.getVm('recovery', `jss-tvm-pay-${vm}`);
      expect(recovered?.owner?.kind).toBe('recovered');
      expect(tvm?.owner?.kind).toBe('tvm');
      expect(await diskHashes(inst.platform, tvm!)).toEqual(await diskHashes(inst.platform, recovered!));
    }
    const both = inst.events.all.filter((r) => [prod.id, test.id].includes(r.event.data.commandId as string));
    expect(both.filter((r) => r.key === 'appliance.created')).toHaveLength(1);
    await inst.publish('test-cleanup', { taskId: test.end.event.subject });
    await inst.events.waitFor(test.id, ['task.completed']);
    expect((await inst.platform.listVms()).filter((v) => v.name.startsWith('jss-'))).toEqual([]);
  });

  it('cancel during rehydration: jobs stop, everything the task created is removed, the task ends cancelled', async () => {
    const id = await inst.publish('failover', { domain: 'slow' });
    await inst.events.waitForBytes(id, 30_000);
    const taskId = inst.events.of(id, 'task.accepted')[0].event.subject!;
    const cancel = await inst.publish('cancel', { taskId });
    const end = await inst.events.waitFor(id, ['task.cancelled', 'task.completed', 'task.failed']);
    expect(end.key).toBe('task.cancelled');
    expect(inst.events.of(cancel, 'command.rejected')).toEqual([]);
    const last = inst.events.of(id, 'task.progress').at(-1)!.event.data;
    expect(last.bytesDone as number).toBeLessThan(200 * MiB);
    expect(await inst.platform.listVms({ site: 'recovery' })).toEqual([
      expect.objectContaining({ name: 'api' }),
      expect.objectContaining({ name: 'ledger' }),
    ]);
    expect((await inst.tasks.get(taskId))?.state).toBe('cancelled');
    const again = await inst.run('cancel', { taskId });
    expect(again.end.event.data.reason).toBe('task-ended');
  });
});
