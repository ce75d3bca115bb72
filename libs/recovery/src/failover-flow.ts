import { Cause, Messenger } from '@jss/bus';
import { EVENTS, Failed, Finalized, Prepared, RangeDone, RangeProgress, Reason, WORK } from '@jss/contract';
import { Logger, metrics } from '@jss/observability';
import { ReplicaRepository, planRanges } from '@jss/replica';
import { RangeJobPlan, Task, TaskStore } from '@jss/tasks';
import { progressOf } from './progress';

/** task.progress at most this often per task (and at least once a second while bytes move). */
const PROGRESS_INTERVAL_MS = 500;

const causeOf = (t: Task): Cause => ({ taskId: t.id, commandId: t.commandId, traceparent: t.traceparent });

/**
 * The planner's side of a failover, one method per message. Every step first publishes the next
 * messages (confirmed), then moves the state with a compare-and-set: a redelivered message repeats
 * the publishes (consumers are idempotent) and finds the state already moved.
 */
export class FailoverFlow {
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
    const moved = await this.tasks.transition(task.id, ['accepted'], 'provisioning');
    if (!moved && !(redelivered && task.state === 'provisioning')) return;
    if (moved) metrics.tasksStarted.inc({ operation: task.operation });
    const point = await this.replica.getPoint(task.domain, task.point.id);
    if (!point) return this.fail(task, 'unknown-recovery-point', `recovery point ${task.point.id} vanished`);
    await this.messenger.event(EVENTS.taskAccepted, causeOf(task), {
      ...causeOf(task),
      operation: task.operation,
      domain: task.domain,
      vms: task.vms,
      recoveryPoint: task.point,
    });
    await this.messenger.send(
      WORK.prepare,
      {
        taskId: task.id,
        commandId: task.commandId,
        domain: task.domain,
        ...task.target,
        vms: point.vms.filter((v) => task.vms.includes(v.name)).map((v) => ({ name: v.name, disks: v.disks.map((d) => d.sizeBytes) })),
      },
      task.traceparent,
    );
  }

  /** RocVA and RVMs exist: split every disk into range jobs and send them out. */
  async onPrepared(msg: Prepared): Promise<void> {
    const task = await this.live(msg.taskId, ['provisioning', 'rehydrating']);
    if (!task) return;
    const point = await this.replica.getPoint(task.domain, task.point.id);
    if (!point) return this.fail(task, 'unknown-recovery-point', `recovery point ${task.point.id} vanished`);
    const plan = msg.rvms.map((r) => ({ name: r.vm, rvm: r.name, rvmIp: r.ip, disks: r.disks.map((d, index) => ({ index, ...d })) }));
    const jobs: RangeJobPlan[] = plan.flatMap((vm) =>
      vm.disks.flatMap((d) =>
        planRanges(point, vm.name, d.index).map((r) => ({ jobId: `${vm.name}/${d.index}/${r.firstBlock}`, vm: vm.name, disk: d.index, ...r })),
      ),
    );
    const moved = await this.tasks.transition(task.id, ['provisioning'], 'rehydrating', {
      rocva: msg.rocva,
      plan,
      jobs,
      jobCount: jobs.length,
      rehydratingAt: new Date().toISOString(),
    });
    // a repeated reply re-sends only what is not done yet (rehydration is idempotent anyway)
    const done = moved ? new Set<string>() : new Set(await this.tasks.doneJobs(task.id));
    for (const job of jobs.filter((j) => !done.has(j.jobId))) {
      const disk = plan.find((v) => v.name === job.vm)!.disks[job.disk];
      await this.messenger.send(
        WORK.range,
        { taskId: task.id, commandId: task.commandId, domain: task.domain, pointId: point.id, diskPath: disk.path, ...job },
        task.traceparent,
      );
    }
    await this.checkRehydrated(task.id, !moved);
  }

  async onRangeProgress(msg: RangeProgress): Promise<void> {
    await this.recordBytes(msg.taskId, msg.jobId, msg.bytesDone, false);
  }

  async onRangeDone(msg: RangeDone, redelivered = false): Promise<void> {
    await this.recordBytes(msg.taskId, msg.jobId, msg.bytesDone, true);
    await this.checkRehydrated(msg.taskId, redelivered);
  }

  /** Bytes moved: progress (throttled; at once when that ends a stall). */
  private async recordBytes(taskId: string, jobId: string, bytes: number, finished: boolean): Promise<void> {
    await this.tasks.recordJob(taskId, jobId, bytes, finished);
    const wasStalled = await this.tasks.clearStalled(taskId);
    await this.publishProgress(taskId, wasStalled);
  }

  /** Recovered VMs are up: record the RTO and remove the temporaries. */
  async onFinalized(msg: Finalized): Promise<void> {
    const task = await this.live(msg.taskId, ['finalizing', 'cleaning']);
    if (!task) return;
    const poweredOnAt = new Date().toISOString();
    if (await this.tasks.transition(task.id, ['finalizing'], 'cleaning', { recovered: msg.vms, poweredOnAt })) {
      metrics.taskRto.observe({ operation: task.operation }, (Date.parse(poweredOnAt) - Date.parse(task.createdAt)) / 1000);
    }
    await this.release(task, false);
  }

  /** Temporaries are gone: the task ends, completed or failed. */
  async onReleased(taskId: string): Promise<void> {
    const task = await this.tasks.get(taskId);
    if (!task || (task.state !== 'cleaning' && task.state !== 'failing')) return;
    const cause = causeOf(task);
    const outcome = task.state === 'cleaning' ? 'completed' : 'failed';
    if (outcome === 'completed') {
      await this.messenger.event(EVENTS.taskCompleted, cause, {
        ...cause,
        operation: task.operation,
        domain: task.domain,
        vms: task.recovered ?? [],
        bytesTotal: task.bytesTotal,
        durationSeconds: (Date.now() - Date.parse(task.createdAt)) / 1000,
      });
    } else {
      await this.messenger.event(EVENTS.taskFailed, cause, { ...cause, ...task.error! });
    }
    if (await this.tasks.transition(task.id, [task.state], outcome)) {
      await this.tasks.releaseVms(task);
      metrics.tasksFinished.inc({ operation: task.operation, outcome });
      metrics.taskDuration.observe({ operation: task.operation, outcome }, (Date.now() - Date.parse(task.createdAt)) / 1000);
      this.log.info({ taskId: task.id, commandId: task.commandId, outcome }, `task ${outcome}`);
    }
  }

  async onFailed(msg: Failed): Promise<void> {
    const task = await this.tasks.get(msg.taskId);
    if (task) await this.fail(task, msg.reason as Reason, `${msg.step}: ${msg.message}`);
  }

  /** Any failure: remove what the task created (recovered VMs too), then end it failed. */
  async fail(task: Task, reason: string, message: string): Promise<void> {
    if (!['accepted', 'provisioning', 'rehydrating', 'finalizing', 'failing'].includes(task.state)) return;
    this.log.warn({ taskId: task.id, commandId: task.commandId, reason, message }, 'task failing');
    await this.tasks.transition(task.id, ['accepted', 'provisioning', 'rehydrating', 'finalizing'], 'failing', {
      error: { reason, message },
    });
    await this.release(task, true);
  }

  /** All ranges done: move to finalizing and ask for the recovered VMs (again, on a redelivered reply). */
  private async checkRehydrated(taskId: string, redelivered = false): Promise<void> {
    const head = await this.tasks.fields(taskId, 'state', 'jobCount');
    if (!head || head.jobCount === undefined || !['rehydrating', 'finalizing'].includes(head.state)) return;
    if ((await this.tasks.doneCount(taskId)) < head.jobCount) return;
    const moved = await this.tasks.transition(taskId, ['rehydrating'], 'finalizing');
    if (!moved && !redelivered) return;
    const task = (await this.tasks.get(taskId))!;
    await this.publishProgress(task.id, true);
    await this.messenger.send(
      WORK.finalize,
      {
        taskId: task.id,
        commandId: task.commandId,
        domain: task.domain,
        site: task.target.site,
        cluster: task.target.cluster,
        datastore: task.target.datastore,
        vms: task.plan!.map((v) => ({
          name: v.name,
          rvm: v.rvm,
          network: task.target.network,
          ip: 'dhcp',
          disks: v.disks.map((d) => d.path),
        })),
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

  private async release(task: Task, removeRecovered: boolean): Promise<void> {
    await this.messenger.send(
      WORK.release,
      { taskId: task.id, commandId: task.commandId, domain: task.domain, site: task.target.site, removeRecovered },
      task.traceparent,
    );
  }

  private async live(taskId: string, states: Task['state'][]): Promise<Task | null> {
    const task = await this.tasks.get(taskId);
    return task && states.includes(task.state) ? task : null;
  }
}
