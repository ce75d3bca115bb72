import { Manifest, imageSha256 } from '@jss/replica';
import { PointEvents } from '@jss/scan';
import { BACKENDS, Installation, MiB, VCSIM_SETUP_MS, diskHashes } from '@jss/testing';

/** Continuous failover: RVMs kept current with each new point as a delta; cut-over; cancel; on every back end. */
describe.each(BACKENDS)('continuous failover ($platform, $store store)', (backend) => {
  let inst: Installation;

  beforeAll(async () => {
    inst = await Installation.start({ planner: 1, provisioner: 1, rehydrator: 2, janitor: 1 }, undefined, backend);
    await inst.writer.writePoint('crm', [
      { name: 'front', source: { sizeBytes: 100 * MiB, seed: 1 } },
      { name: 'back', source: { sizeBytes: 100 * MiB + 4096, seed: 2 } },
    ]);
  }, VCSIM_SETUP_MS);
  afterAll(() => inst?.stop());

  it('applies three 1% deltas reading only the changed blocks, then cuts over to disks equal to the last point', async () => {
    const id = await inst.publish('continuous-failover', { domain: 'crm' });
    const first = await inst.events.waitFor(id, ['task.synced', 'task.failed', 'command.rejected']);
    expect(first.key).toBe('task.synced');
    const taskId = first.event.subject!;
    expect(first.event.data.bytesRead as number).toBeGreaterThan(50 * MiB);
    const initial = (await inst.replica.resolvePoint('crm'))!;
    expect(first.event.data.recoveryPoint).toEqual({ id: initial.id, time: initial.time, verdict: 'unscanned' });
    const initialSync = await waitSynced(id, initial.id);
    expect(initialSync).toMatchObject(roundOf(initial, null));
    expectLag(initialSync, initial, null);

    let previous = initial;

    for (let round = 1; round <= 3; round++) {
      const point = await inst.writer.snapshot('crm', { changePercent: 1, seed: round });
      // announced as every writer does: the planners apply it at once (the task monitor would within 5 s)
      await new PointEvents(inst.bus, '/test').created(point);
      const synced = await waitSynced(id, point.id);
      // 1% of 2 x 100 blocks of 1 MiB changed: 2 per disk, some of them maybe all-zero
      const changed = point.vms.flatMap((v) => v.disks).length * 1 * MiB;
      expect(synced.bytesRead).toBeGreaterThan(0);
      expect(synced.bytesRead).toBeLessThanOrEqual(2 * changed);
      expect(synced.blocksRead).toBeLessThanOrEqual(4);
      expect(synced.blocksUnchanged).toBeGreaterThan(100);
      expect(synced.lagSeconds).toBeGreaterThanOrEqual(0);
      expect(synced).toMatchObject(roundOf(point, previous));
      expectLag(synced, point, previous);
      previous = point;
    }
    expect((await inst.tasks.get(taskId))?.state).toBe('standby');
    // owned: vcsim has VMs of its own (DC0_H0_VM0, ...)
    expect((await inst.platform.listVms({ owned: true })).map((v) => v.name).sort()).toEqual([
      'jss-rocva-crm',
      'jss-rvm-back',
      'jss-rvm-front',
    ]);

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
    expect(await inst.platform.listVms({ site: 'recovery', owned: true })).toEqual([]);
  });

  it('a cut-over of a task that is not a continuous failover is refused', async () => {
    const { end } = await inst.run('failover', { domain: 'crm', taskId: 'task-nope' });
    expect(end.event.data.reason).toBe('unknown-task');
    // a live task of another operation (a test failover stays live until its cleanup)
    const test = await inst.publish('test-failover', { domain: 'crm', vms: ['front'] });
    const ready = await inst.events.waitFor(test, ['task.ready', 'task.failed', 'command.rejected']);
    expect(ready.key).toBe('task.ready');
    const cut = await inst.run('failover', { domain: 'crm', taskId: ready.event.subject });
    expect(cut.end.key).toBe('command.rejected');
    expect(cut.end.event.data.reason).toBe('not-continuous');
    expect((await inst.tasks.get(ready.event.subject!))?.state).toBe('testing');
    await inst.publish('test-cleanup', { taskId: ready.event.subject });
    expect((await inst.events.waitFor(test, ['task.completed', 'task.failed'])).key).toBe('task.completed');
  });

  async function waitSynced(commandId: string, pointId: string) {
    const hit = await inst.events.waitForMatch(
      commandId,
      ['task.synced'],
      (d) => (d.recoveryPoint as { id: string }).id === pointId,
      60_000,
    );
    return {
      ...(hit.event.data as { bytesRead: number; blocksRead: number; blocksUnchanged: number; lagSeconds: number }),
      time: hit.event.time!,
    };
  }

  /** What a round applying `point` over `previous` (none: fresh disks) reads: the blocks neither all-zero nor unchanged. */
  function roundOf(point: Manifest, previous: Manifest | null) {
    const round = { bytesRead: 0, blocksRead: 0, blocksUnchanged: 0 };
    for (const vm of point.vms) {
      for (const disk of vm.disks) {
        const before = previous?.vms.find((v) => v.name === vm.name)?.disks.find((d) => d.index === disk.index)?.blocks;
        disk.blocks.forEach((hash, i) => {
          if (hash === null) return;
          if (before?.[i] === hash) {
            round.blocksUnchanged++;
          } else {
            round.blocksRead++;
            round.bytesRead += Math.min(point.blockSize, disk.sizeBytes - i * point.blockSize);
          }
        });
      }
    }
    return round;
  }

  /**
   * lagSeconds is the age of the applied point when the planner sent the event (it reads the clock
   * just before stamping the event, so at most the event's time minus the point's, and a moment less),
   * and below the age the point it replaced had by then.
   */
  function expectLag(synced: { lagSeconds: number; time: string }, point: Manifest, previous: Manifest | null) {
    const ageAtEvent = (p: Manifest) => (Date.parse(synced.time) - Date.parse(p.time)) / 1000;
    expect(synced.lagSeconds).toBeLessThanOrEqual(ageAtEvent(point));
    expect(synced.lagSeconds).toBeGreaterThan(ageAtEvent(point) - 1);
    if (previous) expect(synced.lagSeconds).toBeLessThan(ageAtEvent(previous));
  }
});
