import { Manifest } from '@jss/replica';
import { FlowFixture } from '@jss/testing';

const MiB = 1 << 20;

/** The flow's states that wait (a commit, a standby, a final point), against a real Redis, publishing into a recorder. */
describe('task flow: waits', () => {
  const spec = FlowFixture.forSpec({ beforeAll, afterAll, beforeEach }, 'shop', { app: 3 * MiB, web: MiB + 5 });
  let fx: FlowFixture;
  let point: Manifest;
  beforeAll(() => ({ fx, point } = spec));

  describe('commit or roll back', () => {
    const withCommit = async (policy: 'manual' | 'commit' | 'rollback', afterSeconds?: number) => {
      const base = await fx.task('failover', point);
      const task = await fx.rehydrating('failover', point, { spec: { ...base.spec, commit: { policy, afterSeconds } } });
      await fx.finishJobs(task);
      fx.published.take();
      await fx.flow.onFinalized(fx.finalized(task));
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
      const task = await fx.rehydrating('continuous-failover', point);
      await fx.finishJobs(task);
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
      await fx.finishJobs(task);
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
});
