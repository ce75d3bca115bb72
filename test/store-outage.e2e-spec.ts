import { imageSha256 } from '@jss/replica';
import { Installation, MiB, diskHashes, inventorySnapshot, waitUntil } from '@jss/testing';

/**
 * A real store that goes away: fauxqs closes its listener (keeping its objects), Azurite exits and
 * is started again on the same port. Back within the retries, the task completes with the right
 * bytes; away for longer, it fails with store-unreachable, every temporary removed; it never
 * hangs and never leaves a wrong byte. Wrong credentials are refused at pre-flight (Azurite checks the
 * shared-key signature; fauxqs accepts any credentials, so that case is Azure's only).
 */
describe.each(['s3', 'azure'] as const)('object store going away (%s)', (store) => {
  let inst: Installation;
  const SIZE = 48 * MiB;

  beforeAll(async () => {
    // few blocks in flight and few attempts: the retries run out within seconds of an outage
    inst = await Installation.start(
      undefined,
      { REHYDRATOR_CONCURRENCY: '2', JSS_STORE_ATTEMPTS: '3', JSS_STORE_TIMEOUT_SECONDS: '5', TASK_STALL_SECONDS: '2' },
      { store },
    );
    await inst.writer.writePoint('away', [{ name: 'big', source: { sizeBytes: SIZE, seed: 5 } }]);
  });
  afterAll(() => inst?.stop());

  const temporaries = async () => (await inst.platform.listVms()).filter((v) => v.name.startsWith('jss-'));

  /**
   * Publishes a failover of the domain and resolves once its RVM exists, so the range job is going out
   * or under way (on a quiet machine the disk is rehydrated faster than the 500 ms between progress
   * reports, so waiting for a part-way progress would come too late).
   */
  async function failoverUnderway(): Promise<string> {
    const id = await inst.publish('failover', { domain: 'away' });
    await inst.events.waitForMatch(id, ['vm.created'], (d) => d.kind === 'rvm');
    return id;
  }

  if (store === 'azure') {
    it('wrong credentials: command.rejected store-unreachable at pre-flight, nothing created', async () => {
      await inst.stopServices('planner');
      await inst.add({ planner: 1 }, inst.storeServer!.env({ accountKey: Buffer.from('wrong key').toString('base64') }));
      try {
        const before = await inventorySnapshot(inst.platform);
        const { end } = await inst.run('failover', { domain: 'away' });
        expect(end.key).toBe('command.rejected');
        expect(end.event.data.reason).toBe('store-unreachable');
        expect(end.event.data.message).toMatch(/Azure container "jss-replicas".*HTTP 403/);
        expect(await inventorySnapshot(inst.platform)).toEqual(before);
      } finally {
        await inst.stopServices('planner');
        await inst.add({ planner: 1 });
      }
    });
  }

  it('away for longer than the retries: task.failed store-unreachable, temporaries removed', async () => {
    const id = await failoverUnderway();
    await inst.storeServer!.stop();
    try {
      const end = await inst.events.waitFor(id, ['task.completed', 'task.failed'], 120_000);
      expect(end.key).toBe('task.failed');
      expect(end.event.data.reason).toBe('store-unreachable');
      expect(end.event.data.message).toContain(store === 's3' ? 'S3 bucket "jss-replicas"' : 'Azure container "jss-replicas"');
    } finally {
      await inst.storeServer!.restart();
    }
    expect(await temporaries()).toEqual([]);
    expect(await inst.platform.getVm('recovery', 'big')).toBeNull();
  });

  it('away while a rehydrator retries, back within its retries: the task completes with the right bytes', async () => {
    // the range job out with no rehydrator to take it: the planner has read the point; then the store goes,
    // and a rehydrator with retries to spare starts reading; the store is back once the task stalls
    await inst.stopServices('rehydrator');
    try {
      const id = await inst.publish('failover', { domain: 'away' });
      const taskId = (await inst.events.waitFor(id, ['task.accepted'])).event.subject!;
      await waitUntil('the range job out', async () => (await inst.tasks.fields(taskId, 'state'))?.state === 'rehydrating');
      await inst.storeServer!.stop();
      await inst.add({ rehydrator: 1 }, { JSS_STORE_ATTEMPTS: '20' });
      await inst.events.waitFor(id, ['task.stalled'], 60_000);
      await inst.storeServer!.restart();
      const end = await inst.events.waitFor(id, ['task.completed', 'task.failed'], 180_000);
      expect(end.key).toBe('task.completed');
      const vm = await inst.platform.getVm('recovery', 'big');
      const point = await inst.replica.resolvePoint('away');
      expect(await diskHashes(inst.platform, vm!)).toEqual([await imageSha256(inst.store, point!, 'big', 0)]);
      expect(await temporaries()).toEqual([]);
    } finally {
      await inst.stopServices('rehydrator');
      await inst.add({ rehydrator: 1 });
    }
  });
});
