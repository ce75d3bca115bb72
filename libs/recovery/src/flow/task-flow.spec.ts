import type { RecoveryOperation } from '@jss/contract';
import { Manifest } from '@jss/replica';
import { Task } from '@jss/tasks';
import { FlowFixture } from '@jss/testing';
import { OUTBOX_STALE_MS } from './task-flow';

const MiB = 1 << 20;

/** The planner's flow (TaskFlow carrying the deciders' decisions out) against a real Redis, publishing into a recorder. */
describe('task flow deciders', () => {
  const spec = FlowFixture.forSpec({ beforeAll, afterAll, beforeEach }, 'shop', { app: 3 * MiB, web: MiB + 5 });
  let fx: FlowFixture;
  let point: Manifest;
  beforeAll(() => ({ fx, point } = spec));

  const prepared = (task: Task) => fx.prepared(task, point);
  const rangeDone = (task: Task, jobId: string, bytesDone: number) => fx.rangeDone(task, jobId, bytesDone);
  const finalized = (task: Task) => fx.finalized(task);
  const finishJobs = (task: Task) => fx.finishJobs(task);
  const rehydrating = (op: RecoveryOperation, extra: Partial<Task> = {}) => fx.rehydrating(op, point, extra);

  describe('start, per operation profile', () => {
    it.each<[RecoveryOperation, boolean]>([
      ['failover', true],
      ['continuous-failover', true],
      ['failback', true],
      ['test-failover', true],
      ['restore', false],
    ])('%s: task.accepted, then provision.prepare (RocVA: %s)', async (op, useRocva) => {
      const task = await fx.task(op, point);
      await fx.flow.start(task.id);
      expect(await fx.state(task.id)).toBe('provisioning');
      const [accepted, prepare] = fx.published.take();
      expect(accepted).toMatchObject({ key: 'task.accepted', data: { taskId: task.id, operation: op, domain: 'shop' } });
      expect(prepare).toMatchObject({ key: 'provision.prepare', data: { useRocva, kind: op === 'test-failover' ? 'tvm' : 'rvm' } });
      expect((prepare.data.vms as unknown[]).length).toBe(2);
    });

    it('planned-failover: quiesces first (source VMs off), no temporaries yet', async () => {
      const planned = { site: 'primary', vms: ['app', 'web'], timeoutSeconds: 60 };
      const task = await fx.task('planned-failover', point, { spec: { ...(await fx.task('failover', point)).spec, planned } });
      await fx.flow.start(task.id);
      expect(await fx.state(task.id)).toBe('quiescing');
      expect(fx.published.take().map((m) => [m.key, m.data.vms])).toEqual([
        ['task.accepted', ['app', 'web']],
        ['provision.power-off', ['app', 'web']],
      ]);
    });

    it('a second start (a redelivered or repeated command) sends nothing', async () => {
      const task = await fx.task('failover', point);
      await fx.flow.start(task.id);
      fx.published.take();
      await fx.flow.start(task.id);
      expect(fx.published.take()).toEqual([]);
    });
  });

  describe('failover, reply by reply', () => {
    it('prepared → range jobs (small disks share one); range-done → progress and finalize; finalized → release; released → completed + report', async () => {
      const task = await fx.task('failover', point);
      await fx.flow.start(task.id);
      fx.published.take();

      await fx.flow.onPrepared(prepared(task));
      expect(await fx.state(task.id)).toBe('rehydrating');
      const jobs = fx.published.take();
      expect(jobs.map((m) => m.key)).toEqual(['rehydrate.range']);
      const parts = jobs[0].data.parts as Array<{ diskPath: string }>;
      expect(parts.map((p) => p.diskPath).sort()).toEqual(['[recovery-ds] jss-rvm-app/disk-0.img', '[recovery-ds] jss-rvm-web/disk-0.img']);

      const job = jobs[0].data as { jobId: string; bytes: number };
      await fx.flow.onRangeDone(rangeDone(task, job.jobId, job.bytes));
      expect(await fx.state(task.id)).toBe('finalizing');
      const sent = fx.published.take();
      expect(sent.map((m) => m.key)).toEqual(['task.progress', 'task.progress', 'provision.finalize']);
      expect(sent[1].data).toMatchObject({ bytesDone: 4 * MiB + 5, bytesTotal: 4 * MiB + 5 });
      expect(sent[2].data).toMatchObject({
        kind: 'rvm',
        vms: [
          { vm: 'app', name: 'app', temp: 'jss-rvm-app' },
          { vm: 'web', name: 'web' },
        ],
      });

      await fx.flow.onFinalized(finalized(task));
      expect(await fx.state(task.id)).toBe('cleaning');
      expect(fx.published.take()).toMatchObject([{ key: 'janitor.release', data: { removeRecovered: false, powerOn: null } }]);

      await fx.flow.onReleased({ taskId: task.id });
      expect(await fx.state(task.id)).toBe('completed');
      const end = fx.published.take();
      expect(end.map((m) => m.key)).toEqual(['task.completed', 'task.report']);
      expect(end[0].data).toMatchObject({ vms: [{ vm: 'app', ip: '10.0.0.7' }, { vm: 'web' }], bytesTotal: 4 * MiB + 5 });
      expect(end[1].data).toMatchObject({ outcome: 'completed' });
      expect(await fx.tasks.liveIds()).not.toContain(task.id);
    });

    it('the same reply twice moves once and sends once (redelivery)', async () => {
      const task = await fx.task('failover', point);
      await fx.flow.start(task.id);
      await fx.flow.onPrepared(prepared(task));
      await fx.flow.onPrepared(prepared(task));
      expect(fx.published.keys().filter((k) => k === 'rehydrate.range')).toHaveLength(1);
      fx.published.take();
      const jobs = await finishJobs(task);
      await fx.flow.onRangeDone(rangeDone(task, jobs[0].jobId, jobs[0].bytes));
      expect(fx.published.keys().filter((k) => k === 'provision.finalize')).toHaveLength(1);
      await fx.flow.onFinalized(finalized(task));
      await fx.flow.onFinalized(finalized(task));
      await fx.flow.onReleased({ taskId: task.id });
      await fx.flow.onReleased({ taskId: task.id });
      const keys = fx.published.keys();
      expect(keys.filter((k) => k === 'janitor.release')).toHaveLength(1);
      expect(keys.filter((k) => k === 'task.completed')).toHaveLength(1);
    });

    it('a range-done naming a job of another point (or an invented one) counts for nothing', async () => {
      const task = await rehydrating('failover');
      await fx.flow.onRangeDone(rangeDone(task, 'rp-0000-other/app/0/0', MiB));
      await fx.flow.onRangeDone(rangeDone(task, `${point.id}-x/app/0/0`, MiB));
      expect(await fx.tasks.doneCount(task.id)).toBe(0);
      expect(fx.published.take()).toEqual([]);
    });

    it('replies for an ended task change nothing', async () => {
      const task = await rehydrating('failover');
      await fx.flow.cancel((await fx.tasks.get(task.id))!);
      await fx.flow.onReleased({ taskId: task.id });
      expect(await fx.state(task.id)).toBe('cancelled');
      fx.published.take();
      await finishJobs(task);
      await fx.flow.onFinalized(finalized(task));
      await fx.flow.onPrepared(prepared(task));
      await fx.flow.onFailed({ taskId: task.id, commandId: task.commandId, work: 'finalize', reason: 'platform-error', message: 'late' });
      expect(await fx.state(task.id)).toBe('cancelled');
      expect(fx.published.take()).toEqual([]);
    });
  });

  describe('failure and cancel', () => {
    it('reply.failed → failing (everything removed, recovered VMs too) → failed with the reason', async () => {
      const task = await rehydrating('failover');
      await fx.flow.onFailed({
        taskId: task.id,
        commandId: task.commandId,
        work: 'rehydrate',
        reason: 'block-corrupt',
        message: 'bad block',
      });
      expect(await fx.state(task.id)).toBe('failing');
      expect(fx.published.take()).toMatchObject([{ key: 'janitor.release', data: { removeRecovered: true } }]);
      await fx.flow.onReleased({ taskId: task.id });
      expect(await fx.state(task.id)).toBe('failed');
      expect(fx.published.take()[0]).toMatchObject({
        key: 'task.failed',
        data: { reason: 'block-corrupt', message: 'rehydrate: bad block' },
      });
    });

    it('a planned failover that fails powers its source VMs on again', async () => {
      const planned = { site: 'primary', vms: ['app', 'web'], timeoutSeconds: 60 };
      const base = await fx.task('failover', point);
      const task = await fx.task('planned-failover', point, { spec: { ...base.spec, planned } });
      await fx.flow.start(task.id);
      await fx.flow.fail((await fx.tasks.get(task.id))!, { reason: 'platform-error', message: 'x' });
      expect(fx.published.sent.at(-1)).toMatchObject({
        key: 'janitor.release',
        data: { powerOn: { site: 'primary', vms: ['app', 'web'] } },
      });
    });
  });

  describe('test failover', () => {
    it('finalized → testing with task.ready and the time limit; cleanup → cleaning, the Test VMs removed, completed', async () => {
      const task = await rehydrating('test-failover', {
        spec: { ...(await fx.task('failover', point)).spec, finals: [], ttlSeconds: 600 },
      });
      await finishJobs(task);
      expect(fx.published.sent.at(-1)).toMatchObject({
        key: 'provision.finalize',
        data: { kind: 'tvm', vms: [{ name: 'jss-rvm-app', disks: [] }, {}] },
      });
      await fx.flow.onFinalized(finalized(task));
      expect(await fx.state(task.id)).toBe('testing');
      const ready = fx.published.sent.at(-1)!;
      expect(ready.key).toBe('task.ready');
      expect(Date.parse(ready.data.expiresAt as string) - Date.now()).toBeGreaterThan(590_000);
      fx.published.take();
      expect(await fx.flow.cleanupTest((await fx.tasks.get(task.id))!)).toBe(true);
      expect(await fx.state(task.id)).toBe('cleaning');
      expect(fx.published.take()).toMatchObject([{ key: 'janitor.release', data: { removeRecovered: false } }]);
    });

    it('the time limit cleans a test up without a command', async () => {
      const task = await rehydrating('test-failover', { spec: { ...(await fx.task('failover', point)).spec, finals: [], ttlSeconds: 1 } });
      await finishJobs(task);
      await fx.flow.onFinalized(finalized(task));
      await fx.flow.expireWaits(Date.now() + 500);
      expect(await fx.state(task.id)).toBe('testing');
      await fx.flow.expireWaits(Date.now() + 2000);
      expect(await fx.state(task.id)).toBe('cleaning');
    });
  });

  describe('the outbox', () => {
    it('messages of a move a crash left unsent are sent again once stale, then forgotten', async () => {
      const task = await fx.task('failover', point);
      // the move is made with its messages, and the process dies before publishing them
      const lost = [{ work: 'provision.prepare', data: { taskId: task.id, commandId: task.commandId } }];
      await fx.tasks.apply(task.id, { move: { from: ['accepted'], to: 'provisioning' }, outbox: { slot: 'provisioning', messages: lost } });
      await fx.flow.resendStale(Date.now());
      expect(fx.published.take()).toEqual([]); // not stale yet: a live handler may be publishing
      await fx.flow.resendStale(Date.now() + OUTBOX_STALE_MS + 1000);
      expect(fx.published.take()).toMatchObject([{ key: 'provision.prepare', data: { taskId: task.id } }]);
      await fx.flow.resendStale(Date.now() + OUTBOX_STALE_MS + 1000);
      expect(fx.published.take()).toEqual([]);
    });

    it('a move carried out in full leaves no outbox behind', async () => {
      const task = await rehydrating('failover');
      await finishJobs(task);
      expect(await fx.tasks.staleOutboxes(Date.now() + OUTBOX_STALE_MS * 10)).toEqual([]);
      expect(task.id).toBeTruthy();
    });
  });
});
