import { Messenger } from '@jss/bus';
import { ReasonedError, cloudEvent, commandType } from '@jss/contract';
import { Platform } from '@jss/platform';
import { PlanStore, StoredPlan, WebhookHosts } from '@jss/recovery-plans';
import { ReplicaRepository } from '@jss/replica';
import { RecordingPublisher, manifestOf, partial, roleMapOf } from '@jss/testing';
import { Command } from './command';
import { RecoveryPlanUseCase } from './recovery-plan.usecase';

const PLAN = 'domain: shop\ngroups:\n  - name: data\n    vms: [db]\n    after:\n      - webhook: { url: "https://hooks.example.com/x" }\n';

/** plan-apply and plan-show (test/recovery-plans.e2e-spec.ts runs them with the real store, platform and broker). */
describe('RecoveryPlanUseCase', () => {
  const published = new RecordingPublisher();
  const stored: StoredPlan[] = [];
  const plans = partial<PlanStore>({
    apply: async (_id, domain, document, plan, appliedBy) => {
      const s = { domain, version: stored.length + 1, document, plan, appliedBy, appliedAt: new Date().toISOString() };
      stored.push(s);
      return s;
    },
    get: async (_domain, version) => stored[(version ?? stored.length) - 1] ?? null,
    versions: async () => stored.length,
  });
  const roles = roleMapOf();
  afterAll(() => roles.close());
  const useCase = (hosts: string | undefined) =>
    new RecoveryPlanUseCase(
      plans,
      partial<ReplicaRepository>({ resolvePoint: async (d: string) => (d === 'shop' ? manifestOf('shop', { db: 4096 }) : null) }),
      partial<Messenger>(published),
      roles,
      partial<Platform>({ getNetwork: async () => null }),
      WebhookHosts.parse(hosts),
    );
  const command = <O extends 'plan-apply' | 'plan-show'>(op: O, data: Command<O>['data']): Command<O> => ({
    op,
    data,
    principal: 'ops',
    event: cloudEvent({ type: commandType(op), source: '/spec', data }),
  });
  const reason = (p: Promise<unknown>) =>
    p.then(
      () => 'done',
      (err: ReasonedError) => `${err.reason}: ${err.message}`,
    );

  it('a dry run checks the plan and stores nothing; then a version is stored and shown', async () => {
    await useCase(undefined).apply(command('plan-apply', { domain: 'shop', document: PLAN, dryRun: true }));
    expect(stored).toEqual([]);
    await useCase(undefined).apply(command('plan-apply', { domain: 'shop', document: PLAN }));
    await useCase(undefined).show(command('plan-show', { domain: 'shop' }));
    expect(published.take()).toMatchObject([
      { key: 'plan.applied', data: { version: null, dryRun: true, groups: 1 } },
      { key: 'plan.applied', data: { version: 1, appliedBy: 'ops', dryRun: false } },
      { key: 'plan.shown', data: { version: 1, versions: 1, document: PLAN } },
    ]);
  });

  it('refuses a plan naming a line, a domain with no point, a webhook host not listed, a version that is not there', async () => {
    expect(
      await reason(useCase(undefined).apply(command('plan-apply', { domain: 'shop', document: PLAN.replace('[db]', '[nope]') }))),
    ).toMatch(/^invalid-plan: recovery plan refused: line 4: VM "nope"/);
    expect(await reason(useCase(undefined).apply(command('plan-apply', { domain: 'crm', document: PLAN })))).toMatch(/^unknown-domain/);
    expect(await reason(useCase('other.example').apply(command('plan-apply', { domain: 'shop', document: PLAN })))).toMatch(
      /^invalid-plan: .*line 6: webhook host "hooks.example.com" is not in JSS_WEBHOOK_HOSTS/,
    );
    expect(await reason(useCase(undefined).show(command('plan-show', { domain: 'shop', version: 9 })))).toMatch(/^no-plan/);
  });
});
