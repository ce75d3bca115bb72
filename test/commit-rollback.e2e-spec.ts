import path from 'node:path';
import { writeGeneratedImage } from '@jss/replica';
import { Protection } from '../apps/replicator/src/protection';
import { Installation, MiB, diskHashes, sha256File } from '@jss/testing';

/** A failover with a commit policy waits with its VMs up for commit or rollback (or its policy's timeout). */
describe('commit or roll back a failover', () => {
  let inst: Installation;
  const hashes: Record<string, string> = {};

  beforeAll(async () => {
    inst = await Installation.start({ planner: 1, provisioner: 1, rehydrator: 1, janitor: 1, replicator: 1 });
    for (const seed of [1, 2]) {
      const file = path.join(inst.dataDir, `crm-db-${seed}.img`);
      await writeGeneratedImage(file, 3 * MiB, seed, 'crm-db');
      const point = await inst.writer.writePoint('crm', [{ name: 'crm-db', source: { file } }]);
      hashes[point.id] = await sha256File(file);
    }
  });
  afterAll(() => inst?.stop());

  const recovered = () => inst.platform.getVm('recovery', 'crm-db');
  const temporaries = async () => (await inst.platform.listVms()).filter((v) => v.name.startsWith('jss-')).map((v) => v.name);

  it('manual: waits with the VMs up and the temporaries gone; rollback removes them; a failover from an older point then recovers its bytes', async () => {
    const id = await inst.publish('failover', { domain: 'crm', commit: { policy: 'manual' } });
    const ready = await inst.events.waitFor(id, ['task.ready', 'task.failed', 'command.rejected']);
    expect(ready.key).toBe('task.ready');
    expect(ready.event.data).toMatchObject({ commit: 'manual', expiresAt: null });
    const taskId = ready.event.subject!;
    expect((await recovered())?.powerState).toBe('poweredOn');
    await inst.events.waitFor(id, ['appliance.deleted']);
    expect(await temporaries()).toEqual([]);
    expect((await inst.tasks.fields(taskId, 'state'))?.state).toBe('awaiting-commit');

    const rollback = await inst.publish('rollback', { taskId });
    const end = await inst.events.waitFor(id, ['task.rolled-back', 'task.completed', 'task.failed']);
    expect(end.key).toBe('task.rolled-back');
    expect(await recovered()).toBeNull();
    expect(inst.events.of(id, 'vm.deleted').map((r) => r.event.data.name)).toContain('crm-db');
    expect((await inst.events.waitFor(id, ['task.report'])).event.data.outcome).toBe('rolled-back');
    expect(inst.events.of(rollback, 'command.rejected')).toEqual([]);

    const [oldest] = (await inst.replica.listPoints('crm')).sort((a, b) => a.time.localeCompare(b.time));
    const again = await inst.run('failover', { domain: 'crm', recoveryPoint: oldest.id });
    expect(again.end.key).toBe('task.completed');
    expect(await diskHashes(inst.platform, (await recovered())!)).toEqual([hashes[oldest.id]]);
  });

  it('commit and rollback are refused for a task that does not wait for them', async () => {
    const { end } = await inst.run('commit', { taskId: 'task-nope' });
    expect(end.event.data.reason).toBe('unknown-task');
    const restore = await inst.writer.writePoint('other', [{ name: 'o1', source: { sizeBytes: MiB, seed: 3 } }]);
    const done = await inst.run('restore', { domain: restore.domain, vms: ['o1'] });
    const refused = await inst.run('rollback', { taskId: done.end.event.subject! });
    expect(refused.end.event.data.reason).toBe('task-ended');
  });

  it('policy commit, afterSeconds 3: commits by itself and keeps the VMs', async () => {
    await inst.platform.deleteVm('recovery', 'crm-db');
    const id = await inst.publish('failover', { domain: 'crm', commit: { policy: 'commit', afterSeconds: 3 } });
    const ready = await inst.events.waitFor(id, ['task.ready', 'task.failed', 'command.rejected']);
    expect(ready.event.data.commit).toBe('commit');
    const end = await inst.events.waitFor(id, ['task.completed', 'task.rolled-back', 'task.failed'], 60_000);
    expect(end.key).toBe('task.completed');
    expect((await recovered())?.powerState).toBe('poweredOn');
    expect(Date.parse(end.event.time!) - Date.parse(ready.event.time!)).toBeGreaterThanOrEqual(2500);
  });

  it('a planned failover rolled back powers its source VMs on again', async () => {
    const protection = new Protection(inst.platform, inst.writer, inst.replica);
    await protection.protect('pay', [{ name: 'pay-app', source: { sizeBytes: 2 * MiB, seed: 4 } }]);
    const id = await inst.publish('planned-failover', { domain: 'pay', commit: { policy: 'rollback', afterSeconds: 2 } });
    const ready = await inst.events.waitFor(id, ['task.ready', 'task.failed', 'command.rejected'], 60_000);
    expect(ready.key).toBe('task.ready');
    expect((await inst.platform.getVm('primary', 'pay-app'))?.powerState).toBe('poweredOff');
    const end = await inst.events.waitFor(id, ['task.rolled-back', 'task.completed', 'task.failed'], 60_000);
    expect(end.key).toBe('task.rolled-back');
    expect((await inst.platform.getVm('primary', 'pay-app'))?.powerState).toBe('poweredOn');
    expect(await inst.platform.getVm('recovery', 'pay-app')).toBeNull();
  });
});
