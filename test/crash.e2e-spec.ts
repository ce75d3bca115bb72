import { setTimeout as sleep } from 'node:timers/promises';
import { writeGeneratedImage } from '@jss/replica';
import path from 'node:path';
import { Installation, MiB, diskHashes, sha256File } from '@jss/testing';

/**
 * kill -9 in the middle of the work: the unacknowledged message goes back to its queue, another
 * process (or the restarted one) redoes the step, and the result is the same. The object store is
 * throttled (JSS_STORE_MBPS) so that the work lasts long enough to be interrupted.
 */
describe('a service killed in the middle of a task', () => {
  let inst: Installation;
  let image: string;

  beforeAll(async () => {
    inst = await Installation.start(
      { planner: 1, provisioner: 1, rehydrator: 1, janitor: 1 },
      { JSS_STORE_MBPS: '20', TASK_STALL_SECONDS: '2' },
    );
    image = path.join(inst.dataDir, 'ledger.img');
    await writeGeneratedImage(image, 48 * MiB + 4096, 5, 'ledger');
    await inst.writer.writePoint('bank', [{ name: 'ledger', source: { file: image } }]);
  });
  afterAll(() => inst?.stop());

  const kill = (prefix: string) => {
    const s = inst.services.find((x) => x.name.startsWith(prefix) && x.child.exitCode === null && x.child.signalCode === null)!;
    s.child.kill('SIGKILL');
    return s;
  };

  /** The task completed anyway: the disk equals its image, no temporary is left. */
  async function expectRecovered(commandId: string) {
    const end = await inst.events.waitFor(commandId, ['task.completed', 'task.failed']);
    expect(end.key).toBe('task.completed');
    const vm = await inst.platform.getVm('recovery', 'ledger');
    expect(await diskHashes(inst.platform, vm!)).toEqual([await sha256File(image)]);
    expect((await inst.platform.listVms()).filter((v) => v.name.startsWith('jss-'))).toEqual([]);
  }

  it('a rehydrator killed mid-range: the range is redone by another worker, disk still identical', async () => {
    const id = await inst.publish('failover', { domain: 'bank' });
    const deadline = Date.now() + 30_000;
    while (!inst.events.of(id, 'task.progress').some((r) => (r.event.data.bytesDone as number) > 0) && Date.now() < deadline)
      await sleep(50);
    await inst.add({ rehydrator: 1 });
    kill('rehydrator');
    await expectRecovered(id);
  });

  it('the planner killed mid-task: a new planner carries the task to the end', async () => {
    await inst.platform.deleteVm('recovery', 'ledger');
    const id = await inst.publish('failover', { domain: 'bank' });
    await inst.events.waitFor(id, ['task.progress']);
    kill('planner');
    await sleep(500);
    await inst.add({ planner: 1 });
    await expectRecovered(id);
  });

  it('no rehydrator left: task.stalled, then task.progress again once a worker is back', async () => {
    await inst.platform.deleteVm('recovery', 'ledger');
    const id = await inst.publish('failover', { domain: 'bank' });
    await inst.events.waitFor(id, ['task.progress']);
    for (const s of inst.services.filter((x) => x.name.startsWith('rehydrator') && x.child.exitCode === null)) s.child.kill('SIGKILL');
    const stalled = await inst.events.waitFor(id, ['task.stalled'], 30_000);
    expect(stalled.event.data.stalledSeconds).toBeGreaterThanOrEqual(2);
    await inst.add({ rehydrator: 1 });
    const end = await inst.events.waitFor(id, ['task.completed', 'task.failed']);
    expect(end.key).toBe('task.completed');
    const after = inst.events.of(id, 'task.progress').filter((r) => r.at > stalled.at);
    expect(after.length).toBeGreaterThan(0);
    expect(inst.events.of(id, 'task.stalled')).toHaveLength(1);
  });
});
