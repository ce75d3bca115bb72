import { Messenger } from '@jss/bus';
import { PrepareWork } from '@jss/contract';
import { DomainLocks } from '@jss/locks';
import { createLogger } from '@jss/observability';
import { RocvaManager } from '@jss/temporaries';
import { TaskRecords } from '@jss/tasks';
import { FlowFixture, RecordingPublisher, partial } from '@jss/testing';
import { DiskSeeder } from './disk-seeder';
import { PrepareUseCase } from './prepare.usecase';

/**
 * provision.prepare as the planner's flow sends it, on the simulated platform and a real Redis; what
 * the provisioner publishes is recorded (test/failover.e2e-spec.ts runs it with the real bus).
 */
describe('PrepareUseCase', () => {
  const held = FlowFixture.withSim({ beforeAll, afterAll, beforeEach }, 'shop', { app: 1 << 20, db: 1 << 20 });
  const published = new RecordingPublisher();
  let useCase: PrepareUseCase;
  beforeAll(async () => {
    const { fx } = held;
    const locks = new DomainLocks(fx.redis, createLogger('spec', 'silent'));
    useCase = new PrepareUseCase(
      partial<Messenger>(published),
      new RocvaManager(fx.redis, locks, held.sim.platform),
      new TaskRecords(fx.tasks),
      locks,
      fx.tasks,
      // only a failback's RVM is seeded (test/reprotect-failback.e2e-spec.ts)
      partial<DiskSeeder>({}),
      held.sim.platform,
    );
  });

  /** The prepare work the flow sends for a new failover of the point. */
  const prepareWork = async () => {
    const task = await held.fx.task('failover', held.point);
    await held.fx.flow.start(task.id);
    const [work] = held.fx.sentWork<PrepareWork>('provision.prepare');
    return { task, work };
  };
  const names = async () => (await held.sim.platform.listVms()).map((vm) => `${vm.name} ${vm.owner?.kind} ${vm.powerState}`).sort();

  it('makes the RocVA and a running RVM per VM with the point’s disk sizes, announces them, and replies with their disks', async () => {
    const { work } = await prepareWork();
    await useCase.execute(work);
    const made = ['jss-rocva-shop rocva poweredOn', 'jss-rvm-app rvm poweredOn', 'jss-rvm-db rvm poweredOn'];
    expect(await names()).toEqual(made);
    const sent = published.take();
    expect(sent.map((p) => `${p.key} ${String(p.data.name ?? '')}`)).toEqual([
      'appliance.created jss-rocva-shop',
      'vm.created jss-rocva-shop',
      expect.stringMatching(/^vm\.created jss-rvm-/),
      expect.stringMatching(/^vm\.created jss-rvm-/),
      'reply.prepared ',
    ]);
    const reply = sent.at(-1)!.data as { rocva: string; temporaries: { vm: string; disks: { sizeBytes: number }[] }[] };
    expect(reply.rocva).toBe('jss-rocva-shop');
    expect(reply.temporaries.map((t) => [t.vm, t.disks.map((d) => d.sizeBytes)])).toEqual([
      ['app', [1 << 20]],
      ['db', [1 << 20]],
    ]);

    // redelivered: what it made is found, nothing is made or announced twice
    await useCase.execute(work);
    expect(published.take().map((p) => p.key)).toEqual(['reply.prepared']);
    expect(await names()).toEqual(made);
  });

  it('a prepare that does not match its task (another site) is dead-lettered and makes nothing', async () => {
    const { task, work } = await prepareWork();
    await expect(useCase.execute({ ...work, site: 'primary' })).rejects.toThrow(/does not match task/);
    expect(await held.sim.platform.listVms({ ownerTaskId: task.id })).toEqual([]);
    expect(published.take()).toEqual([]);
  });
});
