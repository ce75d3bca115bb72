import { Inject, Injectable } from '@nestjs/common';
import { RoleMapSource, assertAllowed } from '@jss/authz';
import { Messenger } from '@jss/bus';
import { EVENTS, REASONS, ReasonedError } from '@jss/contract';
import { PLATFORM } from '@jss/infra';
import { Platform } from '@jss/platform';
import { RECOVERY_SITE } from '@jss/recovery';
import { PlanError, PlanStore, WebhookHosts, ownAddresses, parsePlan } from '@jss/recovery-plans';
import { ReplicaRepository } from '@jss/replica';
import { Command } from './command';
import { WEBHOOK_HOSTS } from './webhook-hosts.provider';

/** plan-apply and plan-show: a domain's recovery plan, checked against the domain when applied, answered with an event. */
@Injectable()
export class RecoveryPlanUseCase {
  constructor(
    private readonly plans: PlanStore,
    private readonly replica: ReplicaRepository,
    private readonly messenger: Messenger,
    private readonly roles: RoleMapSource,
    @Inject(PLATFORM) private readonly platform: Platform,
    @Inject(WEBHOOK_HOSTS) private readonly webhookHosts: WebhookHosts | null,
  ) {}

  /** A new version, when every VM is a protected VM of the domain, every network exists at the recovery site and every webhook's host is allowed. */
  async apply({ event: command, data, principal }: Command<'plan-apply'>): Promise<void> {
    assertAllowed(this.roles, { principal, operation: 'plan-apply', domain: data.domain, dryRun: data.dryRun });
    const point = await this.replica.resolvePoint(data.domain);
    if (!point)
      throw new ReasonedError(REASONS.unknownDomain, `protected domain "${data.domain}" has no recovery point in the object store`);
    const facts = {
      domain: data.domain,
      vms: new Set(point.vms.map((v) => v.name)),
      network: async (name: string) => {
        const network = await this.platform.getNetwork(name);
        return network?.site === RECOVERY_SITE ? network : null;
      },
      webhookHosts: this.webhookHosts,
      ownAddresses: ownAddresses(),
    };
    const plan = await parsePlan(data.document, facts).catch((err: unknown) => {
      if (err instanceof PlanError) throw new ReasonedError(REASONS.invalidPlan, `recovery plan refused: ${err.message}`);
      throw err;
    });
    const answer = { commandId: command.id, domain: data.domain, appliedBy: principal, groups: plan.groups.length };
    if (data.dryRun) return this.messenger.event(EVENTS.planApplied, null, { ...answer, version: null, dryRun: true, unchanged: false });
    const stored = await this.plans.apply(command.id, data.domain, data.document, plan, principal);
    await this.messenger.event(EVENTS.planApplied, null, {
      ...answer,
      version: stored.version,
      appliedBy: stored.appliedBy,
      dryRun: false,
      unchanged: stored.unchanged ?? false,
    });
  }

  async show({ event: command, data, principal }: Command<'plan-show'>): Promise<void> {
    assertAllowed(this.roles, { principal, operation: 'plan-show', domain: data.domain });
    const stored = await this.plans.get(data.domain, data.version);
    if (!stored) {
      const which = data.version ? `no version ${data.version} of a recovery plan` : 'no recovery plan';
      throw new ReasonedError(REASONS.noPlan, `domain "${data.domain}" has ${which}; apply one with: jssctl plan apply <file>`);
    }
    const { domain, version, appliedBy, appliedAt, document } = stored;
    const versions = await this.plans.versions(domain);
    await this.messenger.event(EVENTS.planShown, null, {
      commandId: command.id,
      domain,
      version,
      versions,
      appliedBy,
      appliedAt,
      document,
    });
  }
}
