import { imageSha256 } from '@jss/replica';
import { Installation, MiB, STORE_BACKENDS, diskHashes } from '@jss/testing';

/** Continuous failover: RVMs kept current with each new point as a delta; cut-over; cancel. */
describe.each(STORE_BACKENDS)('continuous failover (%s store)', (store) => {
  let inst: Installation;

  beforeAll(async () => {
    inst = await Installation.start({ planner: 1, provisioner: 1, rehydrator: 2, janitor: 1 }, {}, { store });
    await inst.writer.writePoint('crm', [
      { name: 'front', source: { sizeBytes: 100 * MiB, seed: 1 } },
      { name: 'back', source: { sizeBytes: 100 * MiB + 4096, seed: 2 } },
    ]);
  });
  afterAll(() => inst?.stop());

  it('applies three 1% deltas reading only the changed blocks, then cuts over to disks equal to the last point', async () => {
    const id = await inst.publish('continuous-failover', { domain: 'crm' });
    const first = await inst.events.waitFor(id, ['task.synced', 'task.failed', 'command.rejected']);
    expect(first.key).toBe('task.synced');
    const taskId = first.event.subject!;
    expect(first.event.data.bytesRead as number).toBeGreaterThan(50 * MiB);

    for (let round = 1; round <= 3; round++) {
      const point = await inst.writer.snapshot('crm', { changePercent: 1, seed: round });
      const synced = await waitSynced(id, point.id);
      // 1% of 2 x 100 blocks of 1 MiB changed: 2 per disk, some of them maybe all-zero
      const changed = point.vms.flatMap((v) => v.disks).length * 1 * MiB;
      expect(synced.bytesRead).toBeGreaterThan(0);
      expect(synced.bytesRead).toBeLessThanOrEqual(2 * changed);
      expect(synced.blocksRead).toBeLessThanOrEqual(4);
      expect(synced.blocksUnchanged).toBeGreaterThan(100);
      expect(synced.lagSeconds).toBeGreaterThanOrEqual(0);
    }
    expect((await inst.tasks.get(taskId))?.state).toBe('standby');
    expect((await inst.platform.listVms()).map((v) => v.name).sort()).toEqual(['jss-rocva-crm', 'jss-rvm-back', 'jss-rvm-front']);

    const wrong = await inst.run('failover', { domain: 'erp', taskId });
    expect(wrong.end.key).toBe('command.rejected');
    expect(wrong.end.event.data.message).toMatch(/continuous failover of domain "crm", not "erp"/);
    expect((await inst.tasks.get(taskId))?.state).toBe('standby');

    const last = await inst.writer.snapshot('crm', { changePercent: 1, seed: 99 });
    const cut = await inst.publish('failover', { domain: 'crm', taskId });
    const end = await inst.events.waitFor(id, ['task.completed', 'task.failed']);
    expect(end.key).toBe('task.completed');
    expect(inst.events.of(cut, 'command.rejected')).toEqual([]);
    for (const name of ['front', 'back']) {
      const vm = await inst.platform.getVm('recovery', name);
      expect(vm?.powerState).toBe('poweredOn');
      expect(await diskHashes(inst.platform, vm!)).toEqual([await imageSha256(inst.store, last, name, 0)]);
    }
    expect((await inst.platform.listVms()).filter((v) => v.name.startsWith('jss-'))).toEqual([]);
  });

  it('cancel ends a continuous failover and removes its RVMs and RocVA', async () => {
    for (const vm of ['front', 'back']) await inst.platform.deleteVm('recovery', vm);
    const id = await inst.publish('continuous-failover', { domain: 'crm' });
    const synced = await inst.events.waitFor(id, ['task.synced']);
    await inst.publish('cancel', { taskId: synced.event.subject });
    expect((await inst.events.waitFor(id, ['task.cancelled', 'task.failed'])).key).toBe('task.cancelled');
    expect(await inst.platform.listVms({ site: 'recovery' })).toEqual([]);
  });

  it('a cut-over of a task that is not a continuous failover is refused', async () => {
    const { end } = await inst.run('failover', { domain: 'crm', taskId: 'task-nope' });
    expect(end.event.data.reason).toBe('unknown-task');
  });

  async function waitSynced(commandId: string, pointId: string) {
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      const hit = inst.events.of(commandId, 'task.synced').find((r) => (r.event.data.recoveryPoint as { id: string }).id === pointId);
      if (hit) return hit.event.data as { bytesRead: number; blocksRead: number; blocksUnchanged: number; lagSeconds: number };
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`no task.synced for ${pointId}`);
  }
});
