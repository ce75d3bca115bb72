import { Messenger } from '@jss/bus';
import { REASONS, ReasonedError, cloudEvent, commandType } from '@jss/contract';
import { ProtectionStore } from '@jss/protection';
import { FlowFixture, partial, roleMapOf } from '@jss/testing';
import { Command } from './command';
import { ProtectionUseCase } from './protection.usecase';

const ROLES = 'principals:\n  ops: { roles: [operator], domains: ["*"] }\n  viewer: { roles: [viewer], domains: [shop] }\n';

/**
 * reprotect and domain-set on a real Redis, replica and simulated platform; the answers are recorded
 * (test/reprotect-failback.e2e-spec.ts runs them with the real bus).
 */
describe('ProtectionUseCase', () => {
  const held = FlowFixture.withSim({ beforeAll, afterAll, beforeEach }, 'shop', { app: 1 << 20 });
  const roles = roleMapOf(ROLES);
  let protection: ProtectionStore;
  let useCase: ProtectionUseCase;
  beforeAll(async () => {
    protection = new ProtectionStore(held.fx.redis);
    useCase = new ProtectionUseCase(protection, held.fx.replica, partial<Messenger>(held.fx.published), roles, held.sim.platform);
  });
  afterAll(async () => {
    roles.close();
  });

  const command = <O extends 'reprotect' | 'domain-set'>(op: O, data: Command<O>['data'], principal = 'ops'): Command<O> =>
    ({ op, data, principal, event: cloudEvent({ type: commandType(op), source: '/spec', data }) }) as Command<O>;
  const reasonOf = (run: Promise<void>) =>
    run.then(
      () => 'done',
      (err: ReasonedError) => err.reason,
    );

  it('reprotect of a domain that still runs at home: not-failed-over, nothing scheduled', async () => {
    expect(await reasonOf(useCase.reprotect(command('reprotect', { domain: 'shop' })))).toBe(REASONS.notFailedOver);
    expect(await protection.get('shop')).toBeNull();
    expect(held.fx.published.take()).toEqual([]);
  });

  it('reprotect once the domain runs recovered at the recovery site: scheduled from there, reprotect.started (a dry run schedules nothing)', async () => {
    await held.sim.platform.createVm({
      name: 'app',
      site: 'recovery',
      cluster: 'recovery-cluster',
      datastore: 'recovery-ds',
      nics: [],
      disks: [{ sizeBytes: 4096 }],
      owner: { taskId: 'task-1', kind: 'recovered', domain: 'shop' },
      powerOn: true,
    });
    await useCase.reprotect(command('reprotect', { domain: 'shop', every: 300, dryRun: true }));
    expect(await protection.get('shop')).toBeNull();
    const reprotect = command('reprotect', { domain: 'shop', every: 300 });
    await useCase.reprotect(reprotect);
    expect(await protection.get('shop')).toMatchObject({ site: 'recovery', everySeconds: 300, cause: reprotect.event.id });
    expect(held.fx.published.take()).toMatchObject([
      { key: 'reprotect.started', data: { dryRun: true, everySeconds: 300 } },
      {
        key: 'reprotect.started',
        data: { commandId: reprotect.event.id, domain: 'shop', site: 'recovery', requestedBy: 'ops', dryRun: false },
      },
    ]);
  });

  it('domain-set stores the objectives and answers domain.updated; refused for an unknown domain or a viewer', async () => {
    await useCase.setObjectives(command('domain-set', { domain: 'shop', rpoSeconds: 900 }));
    expect(await protection.objectives('shop')).toMatchObject({ rpoSeconds: 900 });
    expect(held.fx.published.take()).toMatchObject([
      { key: 'domain.updated', data: { domain: 'shop', rpoSeconds: 900, updatedBy: 'ops' } },
    ]);
    expect(await reasonOf(useCase.setObjectives(command('domain-set', { domain: 'nowhere', rpoSeconds: 60 })))).toBe(REASONS.unknownDomain);
    expect(await reasonOf(useCase.setObjectives(command('domain-set', { domain: 'shop', rpoSeconds: 60 }, 'viewer')))).toBe(
      REASONS.forbidden,
    );
    expect(await protection.objectives('shop')).toMatchObject({ rpoSeconds: 900 });
    expect(held.fx.published.take()).toEqual([]);
  });
});
