import { Inject, Injectable } from '@nestjs/common';
import { RoleMapSource, assertAllowed } from '@jss/authz';
import { Messenger } from '@jss/bus';
import { EVENTS, REASONS, ReasonedError } from '@jss/contract';
import { PLATFORM } from '@jss/infra';
import { Platform } from '@jss/platform';
import { ProtectionStore, defaultEverySeconds } from '@jss/protection';
import { RECOVERY_SITE } from '@jss/recovery';
import { ReplicaRepository } from '@jss/replica';
import { Command } from './command';

/** reprotect and domain-set: a domain's protection schedule and objectives, answered with an event. */
@Injectable()
export class ProtectionUseCase {
  constructor(
    private readonly protection: ProtectionStore,
    private readonly replica: ReplicaRepository,
    private readonly messenger: Messenger,
    private readonly roles: RoleMapSource,
    @Inject(PLATFORM) private readonly platform: Platform,
  ) {}

  /** Points of the domain's recovered VMs at the recovery site, every `every` seconds, until a failback. */
  async reprotect({ event: command, data, principal }: Command<'reprotect'>): Promise<void> {
    const { domain, dryRun } = data;
    assertAllowed(this.roles, { principal, operation: 'reprotect', domain, dryRun });
    const point = await this.replica.resolvePoint(domain);
    if (!point) throw new ReasonedError(REASONS.unknownDomain, `protected domain "${domain}" has no recovery point in the object store`);
    await this.assertRunsAtRecovery(
      domain,
      point.vms.map((v) => v.name),
    );
    const everySeconds = data.every ?? defaultEverySeconds((await this.protection.objectives(domain)).rpoSeconds);
    const since = new Date().toISOString();
    if (!dryRun) await this.protection.schedule({ domain, site: RECOVERY_SITE, everySeconds, since, by: principal, cause: command.id });
    await this.messenger.event(EVENTS.reprotectStarted, null, {
      commandId: command.id,
      domain,
      site: RECOVERY_SITE,
      everySeconds,
      requestedBy: principal,
      dryRun: !!dryRun,
    });
  }

  async setObjectives({ event: command, data, principal }: Command<'domain-set'>): Promise<void> {
    const { domain, dryRun } = data;
    assertAllowed(this.roles, { principal, operation: 'domain-set', domain, dryRun });
    if (!(await this.replica.getDomain(domain)))
      throw new ReasonedError(REASONS.unknownDomain, `protected domain "${domain}" does not exist in the object store`);
    const change = { rpoSeconds: data.rpoSeconds, rtoSeconds: data.rtoSeconds };
    const stored = dryRun
      ? { ...(await this.protection.objectives(domain)), ...JSON.parse(JSON.stringify(change)) }
      : await this.protection.setObjectives(domain, change, principal);
    await this.messenger.event(EVENTS.domainUpdated, null, {
      commandId: command.id,
      domain,
      ...stored,
      updatedBy: principal,
      dryRun: !!dryRun,
    });
  }

  /** Every VM of the domain runs at the recovery site as a VM recovered there for it, and no failback took it home since. */
  private async assertRunsAtRecovery(domain: string, vms: string[]): Promise<void> {
    const placement = await this.protection.placement(domain);
    if (placement && placement.site !== RECOVERY_SITE) {
      throw new ReasonedError(
        REASONS.notFailedOver,
        `domain "${domain}" runs at site "${placement.site}" since task ${placement.taskId}; re-protection is for a domain failed over to "${RECOVERY_SITE}"`,
      );
    }
    const found = await Promise.all(vms.map((vm) => this.platform.getVm(RECOVERY_SITE, vm)));
    const away = vms.filter((_, i) => {
      const vm = found[i];
      return !vm || vm.owner?.kind !== 'recovered' || vm.owner.domain !== domain || vm.powerState !== 'poweredOn';
    });
    if (away.length) {
      throw new ReasonedError(
        REASONS.notFailedOver,
        `domain "${domain}" does not run at site "${RECOVERY_SITE}": ${away.slice(0, 3).join(', ')}${away.length > 3 ? ', ...' : ''} not recovered and running there; fail it over first`,
      );
    }
  }
}
