import { Injectable } from '@nestjs/common';
import { RoleMapSource, assertAllowed } from '@jss/authz';
import { Messenger } from '@jss/bus';
import { CloudEvent, EVENTS, Every, REASONS, ReasonedError, nextDue, parseEvery, periodSeconds } from '@jss/contract';
import { DEFAULT_DRILL_TTL_SECONDS, DrillSchedule, DrillStore, testFailoverOf } from '@jss/drills';
import { Command } from './command';
import { RecoveryUseCase } from './recovery.usecase';

/** Without alertAfterSeconds, a domain is overdue after two missed periods and an hour. */
const alertAfterOf = (every: Every, now: number) => 2 * periodSeconds(every, now) + 3600;

/** drill-schedule and drill-unschedule: a domain's drill schedule stored, replaced or removed. */
@Injectable()
export class DrillScheduleUseCase {
  constructor(
    private readonly drills: DrillStore,
    private readonly recovery: RecoveryUseCase,
    private readonly messenger: Messenger,
    private readonly roles: RoleMapSource,
  ) {}

  async schedule({ event: command, data, principal }: Command<'drill-schedule'>): Promise<void> {
    const { domain, dryRun } = data;
    assertAllowed(this.roles, { principal, operation: 'drill-schedule', domain, dryRun });
    const stored = await this.drills.getSchedule(domain);
    // the same command again (redelivered): answered as before, the schedule unchanged
    if (stored?.schedule.commandId === command.id) return this.answer(command, stored.schedule, stored.nextDue, false);
    const every = parseEvery(data.every) as Every; // the schema refused any other form
    const now = Date.now();
    const schedule: DrillSchedule = {
      domain,
      every: data.every,
      ...(data.vms && { vms: data.vms }),
      ...(data.target && { target: data.target }),
      ...(data.recoveryPoint && { recoveryPoint: data.recoveryPoint }),
      ttl: data.ttl ?? DEFAULT_DRILL_TTL_SECONDS,
      rtoObjectiveSeconds: data.rtoObjectiveSeconds ?? null,
      alertAfterSeconds: data.alertAfterSeconds ?? alertAfterOf(every, now),
      scheduledBy: principal,
      scheduledAt: new Date(now).toISOString(),
      commandId: command.id,
    };
    // each drill is this principal's test failover: refused now what would be refused then
    // (rights, unknown domain or VM, a network that is not isolated, ...)
    await this.recovery.draft({ op: 'test-failover', data: testFailoverOf(schedule), principal });
    const next = nextDue(every, now, now);
    if (!dryRun) await this.drills.schedule(schedule, next);
    await this.answer(command, schedule, next, !!dryRun);
  }

  async unschedule({ event: command, data, principal }: Command<'drill-unschedule'>): Promise<void> {
    const { domain, dryRun } = data;
    assertAllowed(this.roles, { principal, operation: 'drill-unschedule', domain, dryRun });
    const had = dryRun ? (await this.drills.getSchedule(domain)) !== null : await this.drills.unschedule(domain);
    if (!had) throw new ReasonedError(REASONS.noDrillSchedule, `domain "${domain}" has no drill schedule`);
    await this.messenger.event(EVENTS.drillUnscheduled, null, { commandId: command.id, domain, dryRun: !!dryRun });
  }

  private answer(command: CloudEvent, s: DrillSchedule, next: number, dryRun: boolean): Promise<void> {
    return this.messenger.event(EVENTS.drillScheduled, null, {
      commandId: command.id,
      domain: s.domain,
      every: s.every,
      scheduledBy: s.scheduledBy,
      nextDueAt: new Date(next).toISOString(),
      ttl: s.ttl,
      rtoObjectiveSeconds: s.rtoObjectiveSeconds,
      alertAfterSeconds: s.alertAfterSeconds,
      dryRun,
    });
  }
}
