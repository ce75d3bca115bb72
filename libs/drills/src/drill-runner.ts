import { Messenger } from '@jss/bus';
import {
  CommandData,
  EVENTS,
  Every,
  REASONS,
  ReasonedError,
  domainOfDrill,
  drillId,
  evidenceKeys,
  nextDue,
  parseEvery,
} from '@jss/contract';
import { DomainLocks } from '@jss/locks';
import { Logger, MAX_DRILL_DOMAIN_SERIES, metrics } from '@jss/observability';
import { Platform, temporaryName, vmUp } from '@jss/platform';
import { TaskFlow } from '@jss/recovery';
import { ObjectStore } from '@jss/store';
import { Task, TaskStore, isActive, isEnded } from '@jss/tasks';
import { RocvaManager } from '@jss/temporaries';
import { Drill, RemovedVm, VmCheck, testFailoverOf } from './drill';
import { DrillStore } from './drill-store';
import { evidenceOf } from './evidence';
import { evidenceHtml } from './evidence-html';

/**
 * Starts a drill's test failover as the command `id` from `principal`, through the path of a
 * published one (authorised, planned, pre-flight checked: whatever a test failover does, a drill's
 * does too); the same id again starts nothing new. Resolves with the task id; a refusal throws its ReasonedError.
 */
export type StartTestFailover = (id: string, data: CommandData<'test-failover'>, principal: string) => Promise<string>;

const iso = (ms: number) => new Date(ms).toISOString();
/** the age gauges are recomputed at most this often (each reads every schedule) */
const GAUGE_EVERY_MS = 5000;

/**
 * Runs the scheduled drills, on every planner replica: each due time of a schedule is claimed by
 * one planner (an atomic Redis script that also moves the schedule on), and each drill is moved on
 * by whichever planner holds its domain's drill lock (libs/locks: it expires when its holder dies,
 * so another planner carries a dead one's drill on). A drill: test failover → Test VMs up → checks →
 * test-cleanup → evidence report in the object store → drill.ended.
 */
export class DrillRunner {
  private gaugesAt = 0;

  constructor(
    private readonly drills: DrillStore,
    private readonly tasks: TaskStore,
    private readonly flow: Pick<TaskFlow, 'cleanupTest' | 'cancel'>,
    private readonly platform: Platform,
    private readonly objects: ObjectStore,
    private readonly locks: DomainLocks,
    private readonly messenger: Pick<Messenger, 'event'>,
    private readonly startTestFailover: StartTestFailover,
    private readonly log: Logger,
    private readonly rocva: Pick<RocvaManager, 'holders'>,
  ) {}

  async tick(now = Date.now()): Promise<void> {
    await this.claimDue(now);
    for (const id of await this.drills.activeIds()) {
      try {
        // one drill of a domain runs at a time: the domain's lock (one fencing counter per domain, not per drill)
        await this.locks.tryWithLock('drill', domainOfDrill(id) ?? id, () => this.advance(id));
      } catch (err) {
        this.log.error({ drillId: id, err: err instanceof Error ? err.message : String(err) }, 'drill step failed; retried');
      }
    }
    if (now - this.gaugesAt >= GAUGE_EVERY_MS) await this.updateGauges((this.gaugesAt = now));
  }

  /** Claims every due time that has come; one missed while no planner ran is run once, late. */
  private async claimDue(now: number): Promise<void> {
    for (const { schedule, nextDue: due } of await this.drills.schedules()) {
      if (due > now) continue;
      const next = nextDue(parseEvery(schedule.every) as Every, Date.parse(schedule.scheduledAt), Math.max(now, due));
      const busy = await this.drills.running(schedule.domain);
      const id = drillId(schedule.domain, due);
      const drill: Drill | null = busy
        ? null
        : { id, domain: schedule.domain, state: 'due', dueAt: iso(due), schedule, startedAt: iso(now) };
      if (!(await this.drills.claim(schedule, due, next, drill))) continue;
      if (busy) {
        metrics.drills.inc({ outcome: 'skipped' });
        this.log.warn({ drillId: id, domain: schedule.domain }, 'drill skipped: the last drill of the domain is still running');
      } else {
        this.log.info({ drillId: id, domain: schedule.domain, dueAt: iso(due) }, 'drill due: claimed');
      }
    }
  }

  /** Moves a drill on as far as it can go now (under its lock). */
  private async advance(id: string): Promise<void> {
    for (;;) {
      const drill = await this.drills.get(id);
      if (!drill || drill.state === 'done') return;
      const before = drill.state;
      await this.step(drill, Date.now());
      if (drill.state === before) return;
      this.log.info({ drillId: id, taskId: drill.taskId, state: drill.state, ...drill.error }, `drill ${drill.state}`);
    }
  }

  private async step(drill: Drill, now: number): Promise<void> {
    const deadline = Date.parse(drill.startedAt) + drill.schedule.ttl * 1000;
    if (drill.state === 'due') return this.start(drill, now > deadline);
    if (drill.state === 'reporting') return this.report(drill);
    const task = drill.taskId ? await this.tasks.get(drill.taskId) : null;
    if (!task || isEnded(task.state)) return this.toReporting(drill, task, now);
    // cleaning, or a task already ending (its temporaries going): wait for its end
    if (drill.state !== 'running' || !isActive(task.state)) return;
    if (task.state === 'testing') {
      const passed = await this.check(drill, task, now);
      if (!passed && now <= deadline) return this.drills.save(drill);
      if (!passed)
        drill.error = { reason: REASONS.checkFailed, message: `checks not passed within the drill's ttl (${drill.schedule.ttl}s)` };
      await this.flow.cleanupTest(task);
    } else if (now > deadline) {
      drill.error = { reason: REASONS.checkFailed, message: `the Test VMs were not up within the drill's ttl (${drill.schedule.ttl}s)` };
      await this.flow.cancel(task);
    } else {
      return;
    }
    drill.state = 'cleaning';
    await this.drills.save(drill);
  }

  private async start(drill: Drill, late: boolean): Promise<void> {
    try {
      drill.taskId = await this.startTestFailover(drill.id, testFailoverOf(drill.schedule), drill.schedule.scheduledBy);
      drill.state = 'running';
    } catch (err) {
      // anything but a refusal (Redis, the broker away) is retried on the next tick, up to the ttl
      if (!(err instanceof ReasonedError) && !late) throw err;
      const message = err instanceof Error ? err.message : String(err);
      drill.error = { reason: err instanceof ReasonedError ? err.reason : REASONS.internalError, message };
      drill.state = 'reporting';
      drill.endedAt = new Date().toISOString();
      drill.removed = [];
    }
    await this.drills.save(drill);
  }

  /** Each Test VM powered on with an address; true when every one is. A check that passed stays passed. */
  private async check(drill: Drill, task: Task, now: number): Promise<boolean> {
    const checks: Record<string, VmCheck> = { ...drill.checks };
    for (const r of task.recovered ?? []) {
      if (checks[r.vm]?.passedAt) continue;
      const vm = await this.platform.getVm(r.site, r.name);
      const { ip, problem } = vmUp(vm);
      const message = problem ?? `powered on with address ${ip}`;
      checks[r.vm] = { createdAt: vm?.createdAt ?? null, ip, passedAt: problem ? null : iso(now), message };
    }
    drill.checks = checks;
    const vms = task.recovered ?? [];
    return vms.length > 0 && vms.every((r) => checks[r.vm]?.passedAt);
  }

  /** The task has ended: what it created is looked up once, and the end time fixed, for a report that can be written again. */
  private async toReporting(drill: Drill, task: Task | null, now: number): Promise<void> {
    if (!task) drill.error ??= { reason: REASONS.internalError, message: `the record of task ${drill.taskId} was lost` };
    drill.removed = task ? await this.removedBy(task) : [];
    drill.endedAt = iso(now);
    drill.state = 'reporting';
    await this.drills.save(drill);
  }

  /** Each Test VM of the task and the domain's RocVA (which it held): gone, or (the RocVA) left to the tasks that still hold it. */
  private async removedBy(task: Task): Promise<RemovedVm[]> {
    const site = task.target.site;
    const gone = async (name: string) => (await this.platform.getVm(site, name)) === null;
    const tvms = await Promise.all((task.layout ?? []).map(async (p) => ({ name: p.temp, kind: 'tvm', site, gone: await gone(p.temp) })));
    const name = temporaryName('rocva', task.domain);
    const rocva: RemovedVm = { name, kind: 'rocva', site, gone: await gone(name) };
    if (!rocva.gone) rocva.sharedWith = (await this.rocva.holders(task.domain, site)).filter((id) => id !== task.id).sort();
    return [...tvms, rocva];
  }

  private async report(drill: Drill): Promise<void> {
    const task = drill.taskId ? await this.tasks.get(drill.taskId) : null;
    const evidence = evidenceOf(drill, task, task ? await this.tasks.jobStats(task.id) : {});
    const keys = evidenceKeys(drill.domain, drill.id);
    await this.objects.put(keys.json, Buffer.from(`${JSON.stringify(evidence, null, 2)}\n`));
    await this.objects.put(keys.html, Buffer.from(evidenceHtml(evidence)));
    await this.messenger.event(EVENTS.drillEnded, task ? { taskId: task.id, commandId: drill.id, traceparent: task.traceparent } : null, {
      commandId: drill.id,
      drillId: drill.id,
      domain: drill.domain,
      taskId: task?.id ?? null,
      outcome: evidence.outcome,
      reason: evidence.reason,
      report: keys,
      sha256: evidence.sha256,
    });
    drill.state = 'done';
    await this.drills.finish(drill, evidence.outcome === 'passed');
    metrics.drills.inc({ outcome: evidence.outcome });
  }

  /** Time since each scheduled domain's last passed drill (the most overdue only), and how many are overdue. */
  private async updateGauges(now: number): Promise<void> {
    const [schedules, passed] = await Promise.all([this.drills.schedules(), this.drills.lastPassed()]);
    const ages = schedules.map(({ schedule: s }) => {
      const age = (now - (passed.get(s.domain) ?? Date.parse(s.scheduledAt))) / 1000;
      return { domain: s.domain, age, late: age / s.alertAfterSeconds };
    });
    metrics.drillsOverdue.set(ages.filter((a) => a.late > 1).length);
    metrics.drillLastPassedAge.reset();
    for (const a of ages.sort((x, y) => y.late - x.late).slice(0, MAX_DRILL_DOMAIN_SERIES)) {
      metrics.drillLastPassedAge.set({ domain: a.domain }, a.age);
    }
  }
}
