import type { RecoveryOperation } from '@jss/contract';
import { Manifest } from '@jss/replica';
import { Task } from '@jss/tasks';
import { FlowFixture } from '@jss/testing';
import { OUTBOX_STALE_MS } from './task-flow';

const MiB = 1 << 20;

/** Each decider of the planner's flow against a real Redis, publishing into a recorder. */
describe('task flow deciders', () => {
  let fx: FlowFixture;
  let point: Manifest;
  beforeAll(async () => {
    fx = FlowFixture.create();
    point = await fx.point('shop', { app: 3 * MiB, web: MiB + 5 });
  });
  afterAll(() => fx.close());
  beforeEach(() => fx.published.take());

  const prepared = (task: Task) => ({
    taskId: task.id,
    commandId: task.commandId,
    rocva: 'jss-rocva-shop',
    temporaries: task.vms.map((vm) => ({
      vm,
      name: `jss-rvm-${vm}`,
      ip: '10.0.0.9',
      disks: [{ path: `[recovery-ds] jss-rvm-${vm}/disk-0.img`, sizeBytes: point.vms.find((v) => v.name === vm)!.disks[0].sizeBytes }],
    })),
  });
  const rangeDone = (task: Task, jobId: string, bytesDone: number) => ({
    taskId: task.id,
    commandId: task.commandId,
    jobId,
    bytesDone,
    bytesRead: bytesDone,
    blocksRead: 1,
    blocksZero: 0,
    blocksUnchanged: 0,
    startedAt: new Date().toISOString(),
  });
  const finalized = (task: Task) => ({
    taskId: task.id,
    commandId: task.commandId,
    vms: task.vms.map((vm) => ({ vm, name: vm, site: 'recovery', ip: '10.0.0.7', poweredOnAt: new Date().toISOString() })),
  });
  /** Every range job of the task's current round, done. */
  const finishJobs = async (task: Task) => {
    const { jobs } = (await fx.tasks.fields(task.id, 'jobs'))!;
    for (const j of jobs!) await fx.flow.onRangeDone(rangeDone(task, j.jobId, j.bytes));
    return jobs!;
  };
  /** A task of an operation taken to rehydrating. */
  const rehydrating = async (op: RecoveryOperation, extra: Partial<Task> = {}) => {
    const task = await fx.task(op, point, extra);
    await fx.flow.start(task.id);
    await fx.flow.onPrepared(prepared(task));
    fx.published.take();
    return task;
  };

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

  describe('commit or roll back', () => {
    const withCommit = async (policy: 'manual' | 'commit' | 'rollback', afterSeconds?: number) => {
      const base = await fx.task('failover', point);
      const task = await rehydrating('failover', { spec: { ...base.spec, commit: { policy, afterSeconds } } });
      await finishJobs(task);
      fx.published.take();
      await fx.flow.onFinalized(finalized(task));
      return task;
    };

    it('finalized → awaiting-commit: task.ready with the policy, temporaries released; the janitor reply ends nothing', async () => {
      const task = await withCommit('manual');
      expect(await fx.state(task.id)).toBe('awaiting-commit');
      expect(fx.published.take()).toMatchObject([
        { key: 'task.ready', data: { commit: 'manual', expiresAt: null } },
        { key: 'janitor.release', data: { removeRecovered: false } },
      ]);
      await fx.flow.onReleased({ taskId: task.id });
      expect(await fx.state(task.id)).toBe('awaiting-commit');
      await fx.flow.expireWaits(Date.now() + 365 * 86400_000); // manual: no time limit
      expect(await fx.state(task.id)).toBe('awaiting-commit');
      await fx.flow.commit((await fx.tasks.get(task.id))!);
      expect(await fx.state(task.id)).toBe('cleaning');
      await fx.flow.onReleased({ taskId: task.id });
      expect(await fx.state(task.id)).toBe('completed');
    });

    it('rollback removes the recovered VMs and ends rolled-back', async () => {
      const task = await withCommit('manual');
      fx.published.take();
      await fx.flow.rollback((await fx.tasks.get(task.id))!);
      expect(fx.published.take()).toMatchObject([{ key: 'janitor.release', data: { removeRecovered: true } }]);
      await fx.flow.onReleased({ taskId: task.id });
      expect(await fx.state(task.id)).toBe('rolled-back');
      expect(fx.published.keys()).toEqual(['task.rolled-back', 'task.report']);
    });

    it('a policy acts at its time: rollback after 5 s', async () => {
      const task = await withCommit('rollback', 5);
      await fx.flow.expireWaits(Date.now() + 3000);
      expect(await fx.state(task.id)).toBe('awaiting-commit');
      await fx.flow.expireWaits(Date.now() + 6000);
      expect(await fx.state(task.id)).toBe('rolling-back');
    });
  });

  describe('continuous failover', () => {
    it('the last range → standby with task.synced; a newer point → a delta round; a cut-over → finalize', async () => {
      const task = await rehydrating('continuous-failover');
      await finishJobs(task);
      expect(await fx.state(task.id)).toBe('standby');
      const synced = fx.published.take().find((m) => m.key === 'task.synced')!;
      expect(synced.data).toMatchObject({ recoveryPoint: { id: point.id }, bytesRead: 4 * MiB + 5 });
      expect(synced.data.lagSeconds as number).toBeGreaterThanOrEqual((Date.now() - Date.parse(point.time)) / 1000 - 5);

      const newer = await fx.writer.writePoint('shop', [
        { name: 'app', source: { sizeBytes: 3 * MiB, seed: 9 } },
        { name: 'web', source: { sizeBytes: MiB + 5, seed: 2 } },
      ]);
      await fx.flow.advance(task.id);
      expect(await fx.state(task.id)).toBe('rehydrating');
      expect(await fx.tasks.doneCount(task.id)).toBe(0); // the last round's done set went with the move
      const round = fx.published.take();
      expect(round.every((m) => m.key === 'rehydrate.range' && m.data.pointId === newer.id && m.data.previousPointId === point.id)).toBe(
        true,
      );
      await finishJobs(task);
      expect(await fx.state(task.id)).toBe('standby');
      fx.published.take();

      await fx.flow.requestCutover((await fx.tasks.get(task.id))!);
      expect(await fx.state(task.id)).toBe('finalizing');
      expect(fx.published.take()).toMatchObject([{ key: 'provision.finalize', data: { kind: 'rvm' } }]);
    });
  });

  describe('planned failover', () => {
    const planned = { site: 'primary', vms: ['app', 'web'], timeoutSeconds: 30 };
    const plannedTask = async () => {
      const base = await fx.task('failover', point);
      const task = await fx.task('planned-failover', point, { spec: { ...base.spec, planned } });
      await fx.flow.start(task.id);
      await fx.flow.onPoweredOff({ taskId: task.id, commandId: task.commandId, at: new Date().toISOString() });
      return task;
    };

    it('powered off → awaiting a point (replicate asked); a newer point → provisioning from it', async () => {
      const task = await plannedTask();
      expect(await fx.state(task.id)).toBe('awaiting-point');
      expect(fx.published.sent.at(-1)).toMatchObject({ key: 'replicate.request', data: { domain: 'shop', site: 'primary' } });
      await fx.flow.awaitPoint(task.id);
      expect(await fx.state(task.id)).toBe('awaiting-point'); // no newer point yet
      const final = await fx.writer.writePoint('shop', [
        { name: 'app', source: { sizeBytes: 3 * MiB, seed: 5 } },
        { name: 'web', source: { sizeBytes: MiB + 5, seed: 2 } },
      ]);
      await fx.flow.onReplicated({ taskId: task.id, commandId: task.commandId, pointId: final.id, time: final.time });
      expect(await fx.tasks.fields(task.id, 'state', 'point')).toEqual({
        state: 'provisioning',
        point: { id: final.id, time: final.time },
      });
    });

    it('no newer point within the timeout → failing with point-timeout', async () => {
      const task = await plannedTask();
      await fx.flow.awaitPoint(task.id, Date.now() + 31_000);
      expect(await fx.tasks.fields(task.id, 'state', 'error')).toMatchObject({ state: 'failing', error: { reason: 'point-timeout' } });
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
