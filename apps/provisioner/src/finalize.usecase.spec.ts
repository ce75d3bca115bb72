import { Messenger } from '@jss/bus';
import { FinalizeWork } from '@jss/contract';
import { DomainLocks } from '@jss/locks';
import { createLogger } from '@jss/observability';
import { RocvaManager } from '@jss/temporaries';
import { TaskRecords } from '@jss/tasks';
import { FlowFixture, RecordingPublisher, partial } from '@jss/testing';
import { FinalizeUseCase } from './finalize.usecase';

/**
 * provision.finalize as the planner's flow sends it once the RVMs are rehydrated, on the simulated
 * platform and a real Redis; what it publishes is recorded (test/failover.e2e-spec.ts and
 * test/boot-order.e2e-spec.ts run it with the real bus).
 */
describe('FinalizeUseCase', () => {
  const held = FlowFixture.withSim({ beforeAll, afterAll, beforeEach }, 'shop', { app: 1 << 20 });
  const published = new RecordingPublisher();
  let useCase: FinalizeUseCase;
  beforeAll(async () => {
    const locks = new DomainLocks(held.fx.redis, createLogger('spec', 'silent'));
    const rocva = new RocvaManager(held.fx.redis, locks, held.sim.platform);
    useCase = new FinalizeUseCase(partial<Messenger>(published), locks, rocva, new TaskRecords(held.fx.tasks), held.sim.platform);
  });

  /** A failover taken to finalizing: its RVM made, its range jobs done. */
  const finalizeWork = async () => {
    const { task, rvms } = await held.fx.rehydratingOn(held.sim.platform, held.point);
    await held.fx.finishJobs(task);
    const [work] = held.fx.sentWork<FinalizeWork>('provision.finalize');
    return { task, work, rvm: rvms[0] };
  };

  it('creates the final VM from its RVM’s disks (adopted), powers it on, announces it and replies with its address', async () => {
    const { task, work, rvm } = await finalizeWork();
    await useCase.execute(work);
    const app = await held.sim.platform.getVm('recovery', 'app');
    expect(app).toMatchObject({ powerState: 'poweredOn', owner: { taskId: task.id, kind: 'recovered', domain: 'shop' } });
    expect(app!.disks.map((d) => d.sizeBytes)).toEqual(rvm.disks.map((d) => d.sizeBytes));
    const sent = published.take();
    expect(sent.map((p) => p.key)).toEqual(['vm.created', 'reply.finalized']);
    expect(sent[1].data).toMatchObject({ taskId: task.id, vms: [{ vm: 'app', name: 'app', site: 'recovery', ip: app!.nics[0].ip }] });

    // redelivered: the VM it made is found, not made again
    await useCase.execute(work);
    expect(published.take().map((p) => p.key)).toEqual(['reply.finalized']);
  });

  it('a VM of that name that is not the task’s, and no replace asked: vm-exists, and it stays', async () => {
    await held.sim.platform.deleteVm('recovery', 'jss-rvm-app'); // the first task's release: its RVM is gone, its VM 'app' stays
    const { work } = await finalizeWork();
    await expect(useCase.execute(work)).rejects.toMatchObject({ reason: 'vm-exists' });
    expect((await held.sim.platform.getVm('recovery', 'app'))?.owner?.taskId).not.toBe(work.taskId);
    expect(published.take()).toEqual([]);
  });
});
