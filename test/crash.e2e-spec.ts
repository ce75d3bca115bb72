import { EXCHANGES, QUEUES, REPLIES } from '@jss/contract';
import { writeGeneratedImage } from '@jss/replica';
import path from 'node:path';
import { EventLog, Installation, MiB, diskHashes, metricValue, sha256File, waitUntil } from '@jss/testing';

/** One disk, one range job (under 256 MiB): about 6 s of reading at the throttled 8 MB/s. */
const SIZE = 48 * MiB + 4096;

/**
 * kill -9 in the middle of the work: the unacknowledged message goes back to its queue, another
 * process (or the restarted one) redoes the step, and the result is the same. The object store is
 * throttled (JSS_STORE_MBPS) so that the work lasts long enough to be interrupted; the records (the
 * task's range bytes and done set in Redis, the replies) show that it was interrupted before it finished.
 */
describe('a service killed in the middle of a task', () => {
  let inst: Installation;
  let image: string;

  beforeAll(async () => {
    inst = await Installation.start(
      { planner: 1, provisioner: 1, rehydrator: 1, janitor: 1 },
      { JSS_STORE_MBPS: '8', TASK_STALL_SECONDS: '2' },
    );
    image = path.join(inst.dataDir, 'ledger.img');
    await writeGeneratedImage(image, SIZE, 5, 'ledger');
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
    const replies = await EventLog.attach(inst.bus, EXCHANGES.internal, [REPLIES.rangeDone.key]);
    const id = await inst.publish('failover', { domain: 'bank' });
    const taskId = (await inst.events.waitFor(id, ['task.accepted'])).event.subject!;
    await waitUntil('task.progress with the range under way', () =>
      inst.events.of(id, 'task.progress').some((r) => (r.event.data.bytesDone as number) > 0 && (r.event.data.bytesDone as number) < SIZE),
    );
    const worker = kill('rehydrator'); // the only one: it holds the disk's one range
    const killedAt = Date.now();
    expect(inst.services.filter((s) => s.name.startsWith('rehydrator') && s !== worker)).toEqual([]);
    // the broker took the range back: it was not acknowledged, and the records show bytes moved, not all
    await waitUntil('the range back in its queue', async () => {
      const q = await inst.queueStat(QUEUES.rehydratorJobs);
      return q.messageCount === 1 && q.consumerCount === 0;
    });
    expect(await inst.tasks.doneJobs(taskId)).toEqual([]);
    const bytes = Object.entries(await inst.tasks.jobBytes(taskId));
    expect(bytes).toHaveLength(1);
    const [[jobId, bytesWhenKilled]] = bytes;
    expect(bytesWhenKilled).toBeGreaterThan(0);
    expect(bytesWhenKilled).toBeLessThan(SIZE);

    await inst.add({ rehydrator: 1 });
    await expectRecovered(id);
    expect(await inst.tasks.doneJobs(taskId)).toEqual([jobId]);
    // the range was reported done only by a run that started after the kill: the killed one never finished
    const done = replies.of(id, REPLIES.rangeDone.key);
    expect(done.map((r) => r.event.data.jobId)).toEqual([jobId]);
    expect(Date.parse(done[0].event.data.startedAt as string)).toBeGreaterThan(killedAt);
    // and that run was the new worker's, the whole range again
    const redoer = inst.services.find((s) => s.name.startsWith('rehydrator') && s.child.exitCode === null && s.child.signalCode === null)!;
    expect(await metricValue(redoer, 'jss_rehydrated_bytes_total')).toBe(SIZE);
  });

  it('the planner killed mid-task: a new planner carries the task to the end', async () => {
    await inst.platform.deleteVm('recovery', 'ledger');
    const id = await inst.publish('failover', { domain: 'bank' });
    await inst.events.waitFor(id, ['task.progress']);
    const dead = kill('planner');
    // gone before the next one starts: what it held goes back to the queues
    await waitUntil('the planner dead', () => dead.child.signalCode !== null);
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
