import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { RoleMapSource, assertAllowed } from '@jss/authz';
import { Messenger } from '@jss/bus';
import { CloudEvent, CommandData, EVENTS, RecoveryOperation } from '@jss/contract';
import { Env } from '@jss/config';
import { ENV, OBJECT_STORE, PLATFORM } from '@jss/infra';
import { Platform, temporaryName } from '@jss/platform';
import {
  assertStoreReachable,
  foreignReplacements,
  DraftContext,
  TaskDraft,
  TaskFlow,
  draftContinuousFailover,
  draftFailback,
  draftFailover,
  draftPlannedFailover,
  draftRestore,
  draftTestFailover,
  dryRunOf,
  preflight,
  reserveNames,
  traceparentOf,
  withRecoveryPlan,
} from '@jss/recovery';
import { ProtectionStore, forecastRto } from '@jss/protection';
import { PlanStore } from '@jss/recovery-plans';
import { ReplicaRepository } from '@jss/replica';
import { PointVerdicts } from '@jss/scan';
import { ObjectStore } from '@jss/store';
import { TaskStore } from '@jss/tasks';
import { Command } from './command';

/** Each operation's drafting, its data typed by the operation. */
const DRAFTERS: { [O in RecoveryOperation]: (data: CommandData<O>, ctx: DraftContext) => Promise<TaskDraft> } = {
  failover: draftFailover,
  'planned-failover': draftPlannedFailover,
  'continuous-failover': draftContinuousFailover,
  failback: draftFailback,
  restore: draftRestore,
  'test-failover': draftTestFailover,
};

/**
 * Every operation that creates a task: validate against the replica and the platform, run the
 * pre-flight checks, then either answer a dry run or reserve the VMs and start the task.
 */
@Injectable()
export class RecoveryUseCase {
  constructor(
    private readonly tasks: TaskStore,
    private readonly replica: ReplicaRepository,
    private readonly flow: TaskFlow,
    private readonly messenger: Messenger,
    @Inject(PLATFORM) private readonly platform: Platform,
    @Inject(OBJECT_STORE) private readonly store: ObjectStore,
    @Inject(ENV) private readonly env: Env,
    private readonly roles: RoleMapSource,
    private readonly plans: PlanStore,
    private readonly protection: ProtectionStore,
    private readonly verdicts: PointVerdicts,
  ) {}

  async execute<O extends RecoveryOperation>(c: Command<O>): Promise<void> {
    const { event: command, principal } = c;
    const draft = await this.draft(c);
    if (c.data.dryRun) return this.answerDryRun(command, draft);
    const taskId = await this.tasks.claimCommand(command.id, `task-${randomUUID()}`);
    await reserveNames(this.tasks.names, this.platform, taskId, draft);
    const now = new Date().toISOString();
    await this.tasks.create({
      id: taskId,
      commandId: command.id,
      requestedBy: principal,
      operation: draft.operation,
      domain: draft.domain,
      state: 'accepted',
      vms: draft.vms,
      point: { id: draft.point.id, time: draft.point.time, ...draft.verdict },
      target: draft.target,
      spec: { ...draft.spec, ...('reprotect' in c.data && c.data.reprotect === true && { reprotect: true }) },
      bytesTotal: draft.bytesTotal,
      traceparent: traceparentOf(command.traceparent),
      createdAt: now,
      updatedAt: now,
    });
    await this.flow.start(taskId);
  }

  /** What the command would do, authorised, planned and pre-flight checked; refusals throw their ReasonedError. */
  async draft<O extends RecoveryOperation>({ op, data, principal }: Pick<Command<O>, 'op' | 'data' | 'principal'>): Promise<TaskDraft> {
    const asked = { principal, operation: op, domain: data.domain, dryRun: data.dryRun };
    assertAllowed(this.roles, asked);
    await assertStoreReachable(this.store);
    const planned = await DRAFTERS[op](data, {
      replica: this.replica,
      platform: this.platform,
      plannedTimeoutSeconds: this.env.PLANNED_FAILOVER_TIMEOUT_SECONDS,
      verdicts: this.verdicts,
    });
    const draft = await withRecoveryPlan(planned, await this.plans.get(data.domain), data, this.platform);
    const foreign = await foreignReplacements(draft, this.platform);
    if (foreign.length) assertAllowed(this.roles, { ...asked, replaceForeign: true, vms: foreign });
    await preflight(draft, this.platform, this.store);
    return draft;
  }

  private async answerDryRun(command: CloudEvent, draft: TaskDraft): Promise<void> {
    const rocvaExists = (await this.platform.getVm(draft.target.site, temporaryName('rocva', draft.domain))) !== null;
    const samples = await this.protection.samples();
    await this.messenger.event(
      EVENTS.taskPlanned,
      null,
      dryRunOf(command.id, draft, rocvaExists, (input) => forecastRto(input, samples)),
    );
  }
}
