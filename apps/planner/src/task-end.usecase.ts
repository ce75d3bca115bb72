import { Inject, Injectable } from '@nestjs/common';
import { Messenger } from '@jss/bus';
import { EVENTS } from '@jss/contract';
import { LOGGER } from '@jss/infra';
import { Logger } from '@jss/observability';
import { ProtectionStore, RecoverySample, defaultEverySeconds } from '@jss/protection';
import { waitSecondsOf } from '@jss/recovery-plans';
import { JobStats, Task, TaskStore } from '@jss/tasks';

/** The operations that move a domain's VMs to their target site. */
const MOVES_DOMAIN = ['failover', 'planned-failover', 'continuous-failover', 'failback'];
/** Whose figures forecast a failover's RTO: failovers and test failovers (drills); the others wait (planned) or copy (failback). */
const SAMPLED = ['failover', 'test-failover'];

const seconds = (from: string, to: string) => (Date.parse(to) - Date.parse(from)) / 1000;

/**
 * What a completed task changes for its domain, done when its temporaries are gone and before it
 * moves to completed (so a redelivered reply.released does it again, each step harmless twice):
 * where the domain runs, its protection (a failover with reprotect starts re-protection where the VMs
 * now run; a failback ends it and protects from home again; a failover without reprotect stops a
 * schedule at the site it left), and the recovery's figures (forecasts).
 */
@Injectable()
export class TaskEndUseCase {
  constructor(
    private readonly tasks: TaskStore,
    private readonly protection: ProtectionStore,
    private readonly messenger: Messenger,
    @Inject(LOGGER) private readonly log: Logger,
  ) {}

  async execute(taskId: string): Promise<void> {
    const task = await this.tasks.get(taskId);
    if (task?.state !== 'cleaning') return;
    if (SAMPLED.includes(task.operation)) await this.sample(task);
    if (!MOVES_DOMAIN.includes(task.operation)) return;
    const { domain, target } = task;
    const cause = { taskId: task.id, commandId: task.commandId, traceparent: task.traceparent };
    if ((await this.protection.placement(domain))?.taskId !== task.id)
      await this.protection.setPlacement(domain, { site: target.site, since: new Date().toISOString(), taskId: task.id });
    const by = task.requestedBy ?? 'unknown';
    const schedule = await this.protection.get(domain);
    if (task.spec.reprotect) {
      const everySeconds = defaultEverySeconds((await this.protection.objectives(domain)).rpoSeconds);
      await this.protection.schedule({ domain, site: target.site, everySeconds, since: new Date().toISOString(), by, cause: task.id });
      this.log.info({ ...cause, domain, site: target.site, everySeconds }, 're-protection started');
      await this.messenger.event(EVENTS.reprotectStarted, cause, {
        taskId: task.id,
        commandId: task.commandId,
        domain,
        site: target.site,
        everySeconds,
        requestedBy: by,
        dryRun: false,
      });
    } else if (task.operation === 'failback' && schedule && (schedule.site !== target.site || schedule.cause === task.id)) {
      const { everySeconds } = schedule;
      await this.protection.schedule({ domain, site: target.site, everySeconds, since: new Date().toISOString(), by, cause: task.id });
      this.log.info({ ...cause, domain, site: target.site }, 're-protection ended; protected from home again');
      await this.messenger.event(EVENTS.reprotectEnded, cause, { taskId: task.id, commandId: task.commandId, domain, site: target.site });
    } else if (schedule && schedule.site !== target.site) {
      // points of VMs that no longer run there would be stale, and would hide that nothing protects the domain now
      await this.protection.unschedule(domain);
      this.log.warn(
        { ...cause, domain, site: schedule.site },
        'protection schedule stopped: the domain no longer runs there; re-protect it',
      );
    }
  }

  /** A completed recovery's figures, once (keyed by task). */
  private async sample(task: Task): Promise<void> {
    const stats = Object.values(await this.tasks.jobStats(task.id));
    const lastUp = (task.recovered ?? [])
      .map((r) => r.poweredOnAt)
      .sort()
      .at(-1);
    if (!lastUp || !stats.length) return;
    const sample: RecoverySample = {
      taskId: task.id,
      operation: task.operation,
      at: new Date().toISOString(),
      vms: task.vms.length,
      bytes: stats.reduce((n, s: JobStats) => n + s.bytesRead, 0),
      rehydrationSeconds: seconds(
        stats.map((s) => s.startedAt).sort()[0],
        stats
          .map((s) => s.doneAt)
          .sort()
          .at(-1)!,
      ),
      rtoSeconds: seconds(task.createdAt, lastUp),
      waitSeconds: waitSecondsOf(task.spec.recoveryPlan?.steps, task.spec.bootOrder),
    };
    await this.protection.addSample(sample);
  }
}
