import pLimit from 'p-limit';
import { Cause, Messenger } from '@jss/bus';
import { EVENTS, Failed, Finalized, PoweredOff, Prepared, RangeDone, RangeProgress, REASONS, WORK } from '@jss/contract';
import { Logger, metrics } from '@jss/observability';
import { Manifest, ReplicaRepository } from '@jss/replica';
import { ACTIVE_STATES, OUTCOME_OF, PlannedVm, RangeJobPlan, Task, TaskState, TaskStore } from '@jss/tasks';
import { pointVms } from './plan/draft';
import { progressOf } from './progress';
import { diskPathsOf, rangeJobsOf } from './range-jobs';
import { reportOf } from './report';

/** task.progress at most this often per task (and at least once a second while bytes move). */
const PROGRESS_INTERVAL_MS = 500;
/** range-job publishes awaiting their confirms at once */
const SEND_CONCURRENCY = 32;

const causeOf = (t: Task): Cause => ({ taskId: t.id, commandId: t.commandId, traceparent: t.traceparent });
const since = (iso: string) => (Date.now() - Date.parse(iso)) / 1000;

/** Range jobs of every disk of the planned VMs at a point (small disks share jobs): range-jobs.ts. */
const jobsOf = (point: Manifest, plan: PlannedVm[]): RangeJobPlan[] => rangeJobsOf(point, plan);

/**
 * The planner's side of every recovery task, one method per message: temporaries (RocVA if the
 * operation uses one, RVMs or Test VMs), range jobs, the final VMs, removal of the temporaries.
 * A step moves the state with a compare-and-set, then publishes the next messages (confirmed); a
 * redelivered message finds the state moved and publishes again (consumers are idempotent).
 */
export class TaskFlow {
  constructor(
    private readonly tasks: TaskStore,
    private readonly messenger: Messenger,
    private readonly replica: ReplicaRepository,
    private readonly log: Logger,
  ) {}

  /**
   * A new task: announce it and ask for the temporaries. `redelivered` re-drives a task whose
   * command came back after a crash; a fresh duplicate of a command that already started is ignored.
   */
  async start(task: Task, redelivered: boolean): Promise<void> {
    const first = task.spec.planned ? 'quiescing' : 'provisioning';
    const moved = await this.tasks.transition(task.id, ['accepted'], first);
    if (!moved && !(redelivered && task.state === first)) return;
    if (moved) metrics.tasksStarted.inc({ operation: task.operation });
    const cause = causeOf(task);
    await this.messenger.event(EVENTS.taskAccepted, cause, {
      ...cause,
      operation: task.operation,
      domain: task.domain,
      vms: task.vms,
      recoveryPoint: task.point,
    });
    const planned = task.spec.planned;
    if (planned) return this.messenger.send(WORK.powerOff, { ...cause, site: planned.site, vms: planned.vms }, task.traceparent);
    await this.sendPrepare(task, task.point.id);
  }

  /** Planned failover: the source VMs are off; ask the replication side for a final point. */
  async onPoweredOff(msg: PoweredOff): Promise<void> {
    const task = await this.inState(msg.taskId, ['quiescing', 'awaiting-point']);
    if (!task) return;
    await this.tasks.transition(task.id, ['quiescing'], 'awaiting-point', { poweredOffAt: msg.at });
    await this.messenger.send(WORK.replicate, { ...causeOf(task), domain: task.domain, site: task.spec.planned!.site }, task.traceparent);
  }

  /**
   * Planned failover waiting for its final point (on reply.replicated, and from the task monitor):
   * the newest point taken after the power-off is failed over, with no data lost; none within the
   * timeout fails the task (and the source VMs go back on).
   */
  async awaitPoint(taskId: string, now = Date.now()): Promise<void> {
    const task = await this.inState(taskId, ['awaiting-point']);
    if (!task?.poweredOffAt) return;
    const newest = await this.replica.resolvePoint(task.domain);
    if (newest && newest.time > task.poweredOffAt) {
      const point = { id: newest.id, time: newest.time };
      if (await this.tasks.transition(task.id, ['awaiting-point'], 'provisioning', { point }))
        await this.sendPrepare({ ...task, point }, newest.id);
      return;
    }
    const waited = (now - Date.parse(task.poweredOffAt)) / 1000;
    if (waited > task.spec.planned!.timeoutSeconds) {
      await this.fail(
        task,
        REASONS.pointTimeout,
        `no recovery point newer than the power-off of the source VMs (${task.poweredOffAt}) within ${task.spec.planned!.timeoutSeconds}s`,
      );
    }
  }

  private async sendPrepare(task: Task, pointId: string): Promise<void> {
    const point = await this.replica.getPoint(task.domain, pointId);
    if (!point) return this.fail(task, REASONS.unknownRecoveryPoint, `recovery point ${pointId} vanished`);
    await this.messenger.send(
      WORK.prepare,
      {
        ...causeOf(task),
        useRocva: task.spec.useRocva,
        kind: task.spec.temporaryKind,
        domain: task.domain,
        ...task.target,
        network: task.spec.temporaryNetwork,
        vms: pointVms(point, task.vms).map((v) => ({ name: v.name, disks: v.disks.map((d) => d.sizeBytes) })),
      },
      task.traceparent,
    );
  }

  /** The temporaries exist: split every disk into range jobs and send them out. */
  async onPrepared(msg: Prepared): Promise<void> {
    const task = await this.inState(msg.taskId, ['provisioning', 'rehydrating']);
    if (!task) return;
    const point = await this.replica.getPoint(task.domain, task.point.id);
    if (!point) return this.fail(task, REASONS.unknownRecoveryPoint, `recovery point ${task.point.id} vanished`);
    const plan = msg.temporaries.map((t) => ({
      name: t.vm,
      temp: t.name,
      tempIp: t.ip,
      disks: t.disks.map((d, index) => ({ index, ...d })),
    }));
    const jobs = jobsOf(point, plan);
    const moved = await this.tasks.transition(task.id, ['provisioning'], 'rehydrating', {
      rocva: msg.rocva,
      plan,
      jobs,
      jobCount: jobs.length,
      rehydratingAt: new Date().toISOString(),
    });
    // a repeated reply re-sends only what is not done yet (rehydration is idempotent anyway)
    const done = moved ? new Set<string>() : new Set(await this.tasks.doneJobs(task.id));
    await this.sendJobs(
      { ...task, plan },
      point,
      jobs.filter((j) => !done.has(j.jobId)),
      null,
    );
    await this.checkRehydrated(task.id, !moved);
  }

  /**
   * Continuous failover in standby: apply the newest point as a delta when there is a newer one;
   * else, once a cut-over was asked for, create the recovered VMs. Called after every round, by
   * the task monitor, and on a cut-over command.
   */
  async advance(taskId: string): Promise<void> {
    const task = await this.inState(taskId, ['standby']);
    if (!task?.plan) return;
    const newest = await this.replica.resolvePoint(task.domain);
    if (newest && newest.time > task.point.time) {
      const jobs = jobsOf(newest, task.plan);
      const moved = await this.tasks.transition(task.id, ['standby'], 'rehydrating', {
        point: { id: newest.id, time: newest.time },
        basePoint: task.point,
        jobs,
        jobCount: jobs.length,
        rehydratingAt: new Date().toISOString(),
      });
      if (!moved) return;
      await this.tasks.resetJobs(task.id);
      this.log.info({ taskId: task.id, commandId: task.commandId, pointId: newest.id }, 'applying a newer recovery point');
      await this.sendJobs(task, newest, jobs, task.point.id);
      return this.checkRehydrated(task.id);
    }
    if (task.cutover && (await this.tasks.transition(task.id, ['standby'], 'finalizing'))) await this.sendFinalize(task);
  }

  /** failover naming a continuous failover: cut over as soon as the RVMs hold the newest point. */
  async requestCutover(task: Task): Promise<void> {
    await this.tasks.patch(task.id, { cutover: true });
    await this.advance(task.id);
  }

  async onRangeProgress(msg: RangeProgress): Promise<void> {
    await this.recordBytes(msg.taskId, msg.jobId, msg.bytesDone, false);
  }

  async onRangeDone(msg: RangeDone, redelivered = false): Promise<void> {
    const { bytesRead, blocksRead, blocksZero, blocksUnchanged, startedAt, parts } = msg;
    // stats are kept per job id, which names its point: rounds of a continuous failover do not mix
    await this.tasks.recordJobStats(msg.taskId, msg.jobId, {
      ...(parts && { parts }),
      bytesRead,
      blocksRead,
      blocksZero,
      blocksUnchanged,
      startedAt,
      doneAt: new Date().toISOString(),
    });
    await this.recordBytes(msg.taskId, msg.jobId, msg.bytesDone, true);
    await this.checkRehydrated(msg.taskId, redelivered);
  }

  /** The final VMs (or the Test VMs) are up: a test waits for its cleanup; anything else removes its temporaries. */
  async onFinalized(msg: Finalized): Promise<void> {
    const task = await this.inState(msg.taskId, ['finalizing', 'testing', 'cleaning']);
    if (!task) return;
    const testing = task.spec.temporaryKind === 'tvm';
    const expiresAt = testing && task.spec.ttlSeconds ? new Date(Date.now() + task.spec.ttlSeconds * 1000).toISOString() : undefined;
    const moved = await this.tasks.transition(task.id, ['finalizing'], testing ? 'testing' : 'cleaning', { recovered: msg.vms, expiresAt });
    if (moved && msg.vms.length) {
      const last = msg.vms
        .map((v) => v.poweredOnAt)
        .sort()
        .at(-1)!;
      metrics.taskRto.observe({ operation: task.operation }, (Date.parse(last) - Date.parse(task.createdAt)) / 1000);
    }
    if (!testing) return this.release(task, false);
    const cause = causeOf(task);
    await this.messenger.event(EVENTS.taskReady, cause, {
      ...cause,
      vms: msg.vms.map(({ poweredOnAt: _p, ...v }) => v),
      expiresAt: expiresAt ?? null,
    });
  }

  /** Temporaries are gone: the task ends with the outcome its ending state decided, and reports. */
  async onReleased(taskId: string): Promise<void> {
    const task = await this.tasks.get(taskId);
    const outcome = task && OUTCOME_OF[task.state];
    if (!task || !outcome) return;
    const cause = causeOf(task);
    if (outcome === 'completed') {
      await this.messenger.event(EVENTS.taskCompleted, cause, {
        ...cause,
        operation: task.operation,
        domain: task.domain,
        vms: (task.recovered ?? []).map(({ poweredOnAt: _p, ...v }) => v),
        bytesTotal: task.bytesTotal,
        durationSeconds: since(task.createdAt),
      });
    } else if (outcome === 'failed') {
      await this.messenger.event(EVENTS.taskFailed, cause, { ...cause, ...task.error! });
    } else {
      await this.messenger.event(EVENTS.taskCancelled, cause, cause);
    }
    const report = reportOf(task, outcome as 'completed' | 'failed' | 'cancelled', await this.tasks.jobStats(task.id));
    await this.messenger.event(EVENTS.taskReport, cause, report);
    const rehydrationSeconds = Math.max(0, ...report.vms.map((v) => v.rehydrationSeconds));
    if (outcome === 'completed' && rehydrationSeconds > 1) await this.tasks.recordRate(task.bytesTotal / rehydrationSeconds);
    if (await this.tasks.transition(task.id, [task.state], outcome, { report })) {
      await this.tasks.releaseVms(task);
      metrics.tasksFinished.inc({ operation: task.operation, outcome });
      metrics.taskDuration.observe({ operation: task.operation, outcome }, since(task.createdAt));
      this.log.info({ taskId: task.id, commandId: task.commandId, outcome }, `task ${outcome}`);
    }
  }

  async onFailed(msg: Failed): Promise<void> {
    const task = await this.tasks.get(msg.taskId);
    if (task) await this.fail(task, msg.reason, `${msg.step}: ${msg.message}`);
  }

  /** Any failure: remove what the task created (final VMs too), then end it failed. */
  async fail(task: Task, reason: string, message: string): Promise<void> {
    await this.end(task, 'failing', { error: { reason, message } });
  }

  /** cancel: in-flight jobs stop (their task is no longer active), everything the task created is removed. */
  async cancel(task: Task): Promise<boolean> {
    return this.end(task, 'cancelling');
  }

  /** test-cleanup (or the time limit): the Test VMs are removed and the test ends completed. */
  async cleanupTest(task: Task): Promise<boolean> {
    if (task.state !== 'testing') return this.cancel(task);
    const moved = await this.tasks.transition(task.id, ['testing'], 'cleaning');
    if (moved) await this.release(task, false);
    return moved;
  }

  /** Test failovers whose time limit has passed are cleaned up without a command. */
  async expireTests(now = Date.now()): Promise<void> {
    for (const id of await this.tasks.liveIds()) {
      const t = await this.tasks.fields(id, 'state', 'expiresAt');
      if (t?.state !== 'testing' || !t.expiresAt || Date.parse(t.expiresAt) > now) continue;
      const task = await this.tasks.get(id);
      if (task && (await this.cleanupTest(task)))
        this.log.info({ taskId: id, commandId: task.commandId }, 'test failover expired; cleaning up');
    }
  }

  private async end(task: Task, to: TaskState, patch: Partial<Task> = {}): Promise<boolean> {
    if (!ACTIVE_STATES.includes(task.state) && task.state !== to) return false;
    const moved = await this.tasks.transition(task.id, ACTIVE_STATES, to, patch);
    if (moved || task.state === to) {
      this.log.warn({ taskId: task.id, commandId: task.commandId, state: to, ...patch.error }, `task ${to}`);
      await this.release(task, true);
    }
    return moved;
  }

  /** Bytes moved: progress (throttled; at once when that ends a stall). A late report of an earlier round is ignored. */
  private async recordBytes(taskId: string, jobId: string, bytes: number, finished: boolean): Promise<void> {
    const head = await this.tasks.fields(taskId, 'point');
    if (!head || !jobId.startsWith(`${head.point.id}/`)) return;
    await this.tasks.recordJob(taskId, jobId, bytes, finished);
    const wasStalled = await this.tasks.clearStalled(taskId);
    await this.publishProgress(taskId, wasStalled);
  }

  /** All ranges done: finalize (again, on a redelivered reply); a continuous failover goes to standby instead. */
  private async checkRehydrated(taskId: string, redelivered = false): Promise<void> {
    const head = await this.tasks.fields(taskId, 'state', 'jobCount', 'spec');
    if (!head || head.jobCount === undefined || !['rehydrating', 'finalizing'].includes(head.state)) return;
    if ((await this.tasks.doneCount(taskId)) < head.jobCount) return;
    if (head.spec.continuous) return this.synced(taskId);
    const moved = await this.tasks.transition(taskId, ['rehydrating'], 'finalizing');
    if (!moved && !redelivered) return;
    const task = (await this.tasks.get(taskId))!;
    await this.publishProgress(task.id, true);
    await this.sendFinalize(task);
  }

  /** A round of a continuous failover is done: the RVMs hold task.point. */
  private async synced(taskId: string): Promise<void> {
    if (!(await this.tasks.transition(taskId, ['rehydrating'], 'standby'))) return;
    const task = (await this.tasks.get(taskId))!;
    await this.publishProgress(task.id, true);
    const stats = await this.tasks.jobStats(task.id);
    const round = (task.jobs ?? []).map((j) => stats[j.jobId]).filter((x) => x !== undefined);
    const cause = causeOf(task);
    await this.messenger.event(EVENTS.taskSynced, cause, {
      ...cause,
      recoveryPoint: task.point,
      lagSeconds: since(task.point.time),
      bytesRead: round.reduce((n, x) => n + x.bytesRead, 0),
      blocksRead: round.reduce((n, x) => n + x.blocksRead, 0),
      blocksUnchanged: round.reduce((n, x) => n + x.blocksUnchanged, 0),
    });
    await this.advance(task.id);
  }

  /** Publishes overlap (each awaits its confirm): one at a time, a 1,000-VM domain spent seconds here. */
  private async sendJobs(task: Task, point: Manifest, jobs: RangeJobPlan[], previousPointId: string | null): Promise<void> {
    const vms = new Map(task.plan!.map((v) => [v.name, v]));
    const limit = pLimit(SEND_CONCURRENCY);
    const send = (job: RangeJobPlan) => {
      const work = { ...causeOf(task), domain: task.domain, pointId: point.id, previousPointId, ...job, ...diskPathsOf(job, vms) };
      return this.messenger.send(WORK.range, work, task.traceparent);
    };
    await Promise.all(jobs.map((job) => limit(() => send(job))));
  }

  private async sendFinalize(task: Task): Promise<void> {
    const plan = task.plan!;
    const vms =
      task.spec.temporaryKind === 'tvm'
        ? plan.map((v) => ({
            vm: v.name,
            temp: v.temp,
            name: v.temp,
            network: task.spec.temporaryNetwork,
            ip: 'dhcp',
            replace: false,
            disks: [],
          }))
        : task.spec.finals.map((f) => {
            const planned = plan.find((v) => v.name === f.vm)!;
            return { ...f, temp: planned.temp, disks: planned.disks.map((d) => d.path) };
          });
    await this.messenger.send(
      WORK.finalize,
      {
        ...causeOf(task),
        kind: task.spec.temporaryKind,
        domain: task.domain,
        site: task.target.site,
        cluster: task.target.cluster,
        datastore: task.target.datastore,
        vms,
        bootOrder: task.spec.bootOrder,
        powerOff: task.spec.powerOffAfter ?? null,
      },
      task.traceparent,
    );
  }

  private async publishProgress(taskId: string, force: boolean): Promise<void> {
    if (!force && !(await this.tasks.throttle(taskId, 'progress', PROGRESS_INTERVAL_MS))) return;
    const task = await this.tasks.get(taskId);
    if (!task?.jobs || !task.rehydratingAt) return;
    const figures = progressOf(task.jobs, await this.tasks.jobBytes(taskId), task.rehydratingAt);
    await this.messenger.event(EVENTS.taskProgress, causeOf(task), { ...causeOf(task), ...figures });
  }

  /** removeRecovered: the task did not complete (failed, cancelled): undo all of it, source power included. */
  private async release(task: Task, removeRecovered: boolean): Promise<void> {
    const powerOn = removeRecovered && task.spec.planned ? { site: task.spec.planned.site, vms: task.spec.planned.vms } : null;
    await this.messenger.send(
      WORK.release,
      { ...causeOf(task), domain: task.domain, site: task.target.site, removeRecovered, powerOn },
      task.traceparent,
    );
  }

  private async inState(taskId: string, states: TaskState[]): Promise<Task | null> {
    const task = await this.tasks.get(taskId);
    return task && states.includes(task.state) ? task : null;
  }
}
