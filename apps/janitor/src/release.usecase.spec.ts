import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { Cause, Messenger } from '@jss/bus';
import { ReleaseWork, VmKind } from '@jss/contract';
import { DomainLocks } from '@jss/locks';
import { createLogger } from '@jss/observability';
import { temporaryName } from '@jss/platform';
import { PendingDeletions, RocvaManager } from '@jss/temporaries';
import { Task, TaskRecords, TaskStore } from '@jss/tasks';
import { RecordingPublisher, SimFixture, manifestOf, partial, simFixture, taskOf } from '@jss/testing';
import { ReleaseUseCase } from './release.usecase';

/** A publisher whose next vm.deleted fails, once: a janitor that deleted a VM and crashed before saying so. */
class FailingOnce extends RecordingPublisher {
  failNext = false;
  override async event(name: string, cause: Cause | null, data: unknown, id?: string): Promise<void> {
    if (this.failNext && name === 'vm.deleted') {
      this.failNext = false;
      throw new Error('channel closed');
    }
    return super.event(name, cause, data, id);
  }
}

/**
 * janitor.release on the simulated platform and a real Redis; only the Messenger is recorded
 * (test/commit-rollback.e2e-spec.ts and test/failover.e2e-spec.ts run it with the real one).
 */
describe('ReleaseUseCase', () => {
  let sim: SimFixture;
  let redis: Redis;
  let rocva: RocvaManager;
  let useCase: ReleaseUseCase;
  const published = new FailingOnce();
  const keyPrefix = `test:release:${randomUUID()}:`;
  let task: Task = taskOf('failover', manifestOf('crm', { 'crm-db': 4096 }));
  const store = partial<TaskStore>({ get: async () => task });
  store.fields = async (_id, ...keys) => Object.fromEntries(keys.map((k) => [k, task[k]])) as Pick<Task, (typeof keys)[number]>;
  const placement = { site: 'recovery', cluster: 'recovery-cluster', datastore: 'recovery-ds', network: 'recovery-net' };

  beforeAll(async () => {
    sim = await simFixture();
    await sim.platform.seed();
    redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { keyPrefix });
    rocva = new RocvaManager(redis, new DomainLocks(redis, createLogger('spec', 'silent')), sim.platform);
    const messenger = partial<Messenger>(published);
    useCase = new ReleaseUseCase(messenger, rocva, new TaskRecords(store), new PendingDeletions(redis), sim.platform, {});
  });
  afterAll(async () => {
    const keys = await redis.keys(`${keyPrefix}*`);
    if (keys.length) await redis.del(...keys.map((k) => k.slice(keyPrefix.length)));
    await redis.quit();
    await sim.close();
  });

  const make = (name: string, kind: VmKind | null, taskId = task.id) =>
    sim.platform.createVm({
      ...placement,
      name,
      nics: [{ network: 'recovery-net', ip: 'dhcp' }],
      disks: [{ sizeBytes: 4096 }],
      owner: kind && { taskId, kind, domain: 'crm' },
    });
  // every move sets updatedAt (TaskRecords re-reads a record only then)
  const moved = (t: Task, state: Task['state']): Task => ({ ...t, state, updatedAt: `${Date.now()}-${randomUUID()}` });
  const names = async () => (await sim.platform.listVms()).map((vm) => vm.name).sort();
  const workOf = (removeRecovered: boolean): ReleaseWork => ({
    taskId: task.id,
    commandId: task.commandId,
    domain: 'crm',
    site: 'recovery',
    removeRecovered,
    powerOn: null,
  });
  const deleted = () =>
    published
      .take()
      .filter((p) => p.kind === 'event')
      .map((p) => `${p.key} ${String(p.data.name)}`);

  it('a completed task: its RVM and its hold on the RocVA go, announced (the appliance last); its recovered VM and others’ VMs stay', async () => {
    task = moved(taskOf('failover', manifestOf('crm', { 'crm-db': 4096 })), 'cleaning');
    await rocva.acquire('crm', task.id, placement);
    await make(temporaryName('rvm', 'crm-db'), 'rvm');
    await make('crm-db', 'recovered');
    await make('jss-rvm-other', 'rvm', 'task-other');
    await make('mail', null);
    await useCase.execute(workOf(false));
    expect(await names()).toEqual(['crm-db', 'jss-rvm-other', 'mail']);
    expect(published.sent.at(-1)).toMatchObject({ key: 'reply.released', data: { taskId: task.id } });
    expect(deleted()).toEqual(['vm.deleted jss-rvm-crm-db', 'appliance.deleted jss-rocva-crm', 'vm.deleted jss-rocva-crm']);
  });

  it('a rolled-back task: its recovered VM goes too', async () => {
    task = moved(task, 'rolling-back');
    await useCase.execute(workOf(true));
    expect(await names()).toEqual(['jss-rvm-other', 'mail']);
    expect(deleted()).toEqual(['vm.deleted crm-db']);
  });

  it('a release that deleted a VM and failed before announcing it: redelivered, it announces it, once', async () => {
    task = moved(taskOf('failover', manifestOf('crm', { 'crm-db': 4096 })), 'rolling-back');
    await make('crm-db', 'recovered');
    published.failNext = true;
    await expect(useCase.execute(workOf(true))).rejects.toThrow('channel closed');
    expect(await names()).toEqual(['jss-rvm-other', 'mail']);
    expect(published.take()).toEqual([]);

    await useCase.execute(workOf(true));
    const [announced, released] = published.take();
    expect(announced).toMatchObject({ key: 'vm.deleted', data: { name: 'crm-db', kind: 'recovered', commandId: task.commandId } });
    expect(released.key).toBe('reply.released');
    // its id is fixed by the VM: announced again (a delivery that crashed between the announcement and
    // crossing it out), it is the same event; once crossed out, a further delivery says nothing more
    expect(announced.id).toMatch(/^vm\.deleted\/recovery\/crm-db\/\d{4}-/);
    await useCase.execute(workOf(true));
    expect(published.take().map((p) => p.key)).toEqual(['reply.released']);
  });
});
