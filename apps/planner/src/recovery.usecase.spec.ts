import { Messenger } from '@jss/bus';
import { REASONS, ReasonedError, cloudEvent, commandType } from '@jss/contract';
import { loadEnv } from '@jss/config';
import { ProtectionStore } from '@jss/protection';
import { PlanStore } from '@jss/recovery-plans';
import { PointVerdicts, ScanStore } from '@jss/scan';
import { FlowFixture, partial, roleMapOf } from '@jss/testing';
import { Command } from './command';
import { RecoveryUseCase } from './recovery.usecase';

/**
 * Commands that create a task, against a real Redis, replica and simulated platform; what the flow
 * publishes is recorded (test/failover.e2e-spec.ts, test/operations.e2e-spec.ts with its dry runs, run the real bus).
 */
describe('RecoveryUseCase', () => {
  const held = FlowFixture.withSim({ beforeAll, afterAll, beforeEach }, 'shop', { app: 1 << 20, db: 1 << 20 });
  const roles = roleMapOf();
  let useCase: RecoveryUseCase;
  beforeAll(async () => {
    const { fx } = held;
    useCase = new RecoveryUseCase(
      fx.tasks,
      fx.replica,
      fx.flow,
      partial<Messenger>(fx.published),
      held.sim.platform,
      fx.store,
      loadEnv(),
      roles,
      new PlanStore(fx.redis),
      new ProtectionStore(fx.redis),
      new PointVerdicts(fx.replica, new ScanStore(fx.store), { waitMs: 0 }),
    );
  });
  afterAll(async () => {
    roles.close();
  });

  const failover = (data: Command<'failover'>['data']): Command<'failover'> => ({
    op: 'failover',
    data,
    principal: 'ops',
    event: cloudEvent({ type: commandType('failover'), source: '/spec', data }),
  });

  it('a failover: its task stored with the point, the VMs and the target, its final names reserved, and started', async () => {
    const command = failover({ domain: 'shop' });
    await useCase.execute(command);
    const taskId = (await held.fx.tasks.taskOfCommand(command.event.id))!;
    const task = (await held.fx.tasks.get(taskId))!;
    expect(task).toMatchObject({ operation: 'failover', domain: 'shop', requestedBy: 'ops', point: { id: held.point.id } });
    expect(task.vms.sort()).toEqual(['app', 'db']);
    expect(task.target.site).toBe('recovery');
    expect(task.state).not.toBe('accepted');
    expect(held.fx.published.keys()).toEqual(expect.arrayContaining(['task.accepted', 'provision.prepare']));
  });

  it('a dry run: task.planned, and no task', async () => {
    const command = failover({ domain: 'shop', dryRun: true });
    await useCase.execute(command);
    expect(await held.fx.tasks.taskOfCommand(command.event.id)).toBeNull();
    const [planned] = held.fx.published.take();
    expect(planned).toMatchObject({ key: 'task.planned', data: { commandId: command.event.id } });
  });

  it('a domain with no recovery point: refused with its reason, nothing stored or published', async () => {
    const command = failover({ domain: 'nowhere' });
    const refused = await useCase.execute(command).catch((err: ReasonedError) => err);
    expect(refused).toMatchObject({ reason: REASONS.unknownDomain });
    expect(await held.fx.tasks.taskOfCommand(command.event.id)).toBeNull();
    expect(held.fx.published.take()).toEqual([]);
  });
});
