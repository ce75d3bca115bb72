import { Messenger } from '@jss/bus';
import { RecoveryOperation } from '@jss/contract';
import { createLogger } from '@jss/observability';
import { ProtectionStore } from '@jss/protection';
import { Task } from '@jss/tasks';
import { FlowFixture, partial, taskOf } from '@jss/testing';
import { TaskEndUseCase } from './task-end.usecase';

/**
 * What a completed task changes for its domain, on a real Redis; the events are recorded
 * (test/reprotect-failback.e2e-spec.ts runs it with the real bus).
 */
describe('TaskEndUseCase', () => {
  const held = FlowFixture.forSpec({ beforeAll, afterAll, beforeEach }, 'shop', { app: 1 << 20 });
  let protection: ProtectionStore;
  let useCase: TaskEndUseCase;
  beforeAll(() => {
    protection = new ProtectionStore(held.fx.redis);
    useCase = new TaskEndUseCase(held.fx.tasks, protection, partial<Messenger>(held.fx.published), createLogger('spec', 'silent'));
  });
  beforeEach(() => protection.unschedule('shop'));

  const cleaning = (operation: RecoveryOperation, extra: Partial<Task> = {}) =>
    held.fx.task(operation, held.point, { state: 'cleaning', requestedBy: 'ops', ...extra });
  const scheduleAt = (site: string, cause = 'operator') =>
    protection.schedule({ domain: 'shop', site, everySeconds: 600, since: new Date().toISOString(), by: 'ops', cause });

  it('a failover with reprotect: the domain runs at the target, protected from there, and reprotect.started says so', async () => {
    await scheduleAt('primary');
    const task = await cleaning('failover', { spec: { ...taskOf('failover', held.point).spec, reprotect: true } });
    await useCase.execute(task.id);
    expect(await protection.placement('shop')).toMatchObject({ site: 'recovery', taskId: task.id });
    expect(await protection.get('shop')).toMatchObject({ site: 'recovery', cause: task.id });
    expect(held.fx.published.take()).toMatchObject([
      { key: 'reprotect.started', data: { taskId: task.id, domain: 'shop', site: 'recovery', requestedBy: 'ops' } },
    ]);
  });

  it('a failover without reprotect stops the schedule at the site it left, silently', async () => {
    await scheduleAt('primary');
    const task = await cleaning('failover');
    await useCase.execute(task.id);
    expect(await protection.get('shop')).toBeNull();
    expect(held.fx.published.take()).toEqual([]);
  });

  it('a failback ends re-protection: protected from home again, reprotect.ended', async () => {
    await scheduleAt('recovery', 'task-earlier');
    const task = await cleaning('failback', {
      target: { site: 'primary', cluster: 'primary-cluster', datastore: 'primary-ds', network: 'primary-net' },
    });
    await useCase.execute(task.id);
    expect(await protection.get('shop')).toMatchObject({ site: 'primary', everySeconds: 600, cause: task.id });
    expect(held.fx.published.take()).toMatchObject([{ key: 'reprotect.ended', data: { taskId: task.id, site: 'primary' } }]);
  });

  it('a task not cleaning (a redelivered reply after it ended), or a restore: nothing changes', async () => {
    await scheduleAt('primary');
    const ended = await held.fx.task('failover', held.point, { state: 'completed' });
    const restore = await cleaning('restore');
    await useCase.execute(ended.id);
    await useCase.execute(restore.id);
    expect(await protection.get('shop')).toMatchObject({ site: 'primary' });
    expect(held.fx.published.take()).toEqual([]);
  });
});
