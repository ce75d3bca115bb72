import { Messenger } from '@jss/bus';
import { ReplicateWork } from '@jss/contract';
import { Manifest } from '@jss/replica';
import { PointEvents } from '@jss/scan';
import { TaskRecords } from '@jss/tasks';
import { FlowFixture, MiB, RecordingPublisher, partial, taskOf } from '@jss/testing';
import { Protection } from './protection';
import { ReplicateUseCase } from './replicate.usecase';

/**
 * replicate.request for a planned failover: a point taken of the domain's VMs, on the simulated
 * platform into a real replica; the reply and point.created are recorded (test/planned-failback.e2e-spec.ts
 * runs it with the real bus).
 */
describe('ReplicateUseCase', () => {
  const held = FlowFixture.withSim({ beforeAll, afterAll, beforeEach }, 'other', { x: MiB });
  const published = new RecordingPublisher();
  const created: Manifest[] = [];
  let protection: Protection;
  let useCase: ReplicateUseCase;
  beforeAll(async () => {
    const { fx } = held;
    protection = new Protection(held.sim.platform, fx.writer, fx.replica);
    const points = partial<PointEvents>({ created: async (m: Manifest) => void created.push(m) });
    useCase = new ReplicateUseCase(partial<Messenger>(published), protection, new TaskRecords(fx.tasks), points);
  });

  /** A planned failover of a protected domain, and its replicate work. */
  const plannedFailover = async () => {
    const first = await protection.protect('pay', [{ name: 'pay-app', source: { sizeBytes: 2 * MiB, seed: 4 } }]);
    const spec = { ...taskOf('planned-failover', first).spec, planned: { site: 'primary', vms: ['pay-app'], timeoutSeconds: 60 } };
    const task = await held.fx.task('planned-failover', first, { spec });
    const work: ReplicateWork = { taskId: task.id, commandId: task.commandId, domain: 'pay', site: 'primary' };
    return { first, task, work };
  };

  it('takes a new point of the domain’s VMs as they are now, announces it, and replies with it', async () => {
    const { first, task, work } = await plannedFailover();
    await useCase.execute(work);
    const newest = (await held.fx.replica.resolvePoint('pay'))!;
    expect(newest.id).not.toBe(first.id);
    expect(created.map((m) => m.id)).toEqual([newest.id]);
    expect(published.take()).toMatchObject([{ key: 'reply.replicated', data: { taskId: task.id, pointId: newest.id, time: newest.time } }]);
    expect(newest.vms.map((v) => [v.name, v.disks.map((d) => d.sizeBytes)])).toEqual([['pay-app', [2 * MiB]]]);
  });

  it('work naming another site than the planned failover’s is dead-lettered, and takes no point', async () => {
    const { work } = await plannedFailover();
    created.length = 0;
    const before = await held.fx.replica.listPoints('pay');
    await expect(useCase.execute({ ...work, site: 'recovery' })).rejects.toThrow(/does not match task/);
    expect(await held.fx.replica.listPoints('pay')).toHaveLength(before.length);
    expect(created).toEqual([]);
    expect(published.take()).toEqual([]);
  });
});
