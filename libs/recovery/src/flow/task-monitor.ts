import { EVENTS, OPERATIONS } from '@jss/contract';
import { Logger, metrics } from '@jss/observability';
import { Task, TaskStore } from '@jss/tasks';
import { progressOf } from '../progress';
import { Publisher, TaskFlow } from './task-flow';
import { STUCK_REASON, stuckTasks } from './watchdog';

/**
 * Watches the live tasks: the running-tasks gauge, test failovers past their time limit, and stall detection — a rehydrating task whose
 * bytes have not moved for `stallSeconds` gets one task.stalled (the flag in Redis makes it one
 * across planner replicas); the next bytes that move clear it (range-progress.ts). Also re-sends what a
 * crash left in a task's outbox, and runs the watchdog (watchdog.ts). `pointLanded` moves the tasks
 * that wait for a domain's next point as soon as one is announced; the periodic check stays the backstop.
 */
export class TaskMonitor {
  constructor(
    private readonly tasks: TaskStore,
    private readonly messenger: Publisher,
    private readonly flow: TaskFlow,
    private readonly log: Logger,
    private readonly stallSeconds: number,
    private readonly watchdogSeconds = Infinity,
  ) {}

  async check(now = Date.now()): Promise<void> {
    const live = await this.live();
    for (const operation of OPERATIONS) metrics.tasksRunning.set({ operation }, live.filter((t) => t.operation === operation).length);
    await this.flow.resendStale(now);
    await this.flow.expireWaits(now);
    await this.movePointWaiters(live, now);
    const planned = live.filter((t) => t.spec.recoveryPlan && (t.state === 'finalizing' || t.state === 'awaiting-approval'));
    for (const t of planned) await this.flow.drivePlan(t.id, now);
    const standby = live.filter((t) => t.state === 'standby');
    metrics.continuousLag.set(Math.max(0, ...standby.map((t) => (now - Date.parse(t.point.time)) / 1000)));
    let stalled = 0;
    for (const task of live.filter((t) => t.state === 'rehydrating' && t.rehydratingAt)) {
      const moved = (await this.tasks.lastMoved(task.id)) ?? Date.parse(task.rehydratingAt!);
      const idle = (now - moved) / 1000;
      if (idle < this.stallSeconds) continue;
      stalled++;
      if (!(await this.tasks.markStalled(task.id))) continue;
      const { bytesDone, bytesTotal } = progressOf(task.jobs ?? [], await this.tasks.jobBytes(task.id), task.rehydratingAt!, now);
      const cause = { taskId: task.id, commandId: task.commandId, traceparent: task.traceparent };
      this.log.warn({ ...cause, idleSeconds: idle }, 'task stalled');
      await this.messenger.event(EVENTS.taskStalled, cause, { ...cause, bytesDone, bytesTotal, stalledSeconds: Math.round(idle) });
    }
    metrics.tasksStalled.set(stalled);
    await this.watchdog(live, now);
  }

  /** New points of these domains (point.created): their continuous failovers apply them, their planned failovers take them. */
  async pointLanded(domains: ReadonlySet<string>, now = Date.now()): Promise<void> {
    // two fields of each live task, not its record (megabytes at 10,000 VMs): the move reads the record of those it concerns
    const heads = await Promise.all(
      (await this.tasks.liveIds()).map(async (id) => ({ id, head: await this.tasks.fields(id, 'domain', 'state') })),
    );
    const waiting = heads.flatMap(({ id, head }) => (head && domains.has(head.domain) ? [{ id, state: head.state }] : []));
    await this.movePointWaiters(waiting, now);
  }

  private async live(): Promise<Task[]> {
    return (await Promise.all((await this.tasks.liveIds()).map((id) => this.tasks.get(id)))).filter((t): t is Task => t !== null);
  }

  /** The tasks that wait for a newer point: a planned failover's final one, a continuous failover's next round. */
  private async movePointWaiters(tasks: Array<Pick<Task, 'id' | 'state'>>, now: number): Promise<void> {
    for (const t of tasks.filter((x) => x.state === 'awaiting-point')) await this.flow.awaitPoint(t.id, now);
    for (const t of tasks.filter((x) => x.state === 'standby')) await this.flow.advance(t.id);
  }

  /** No task waits forever: one that made no move for watchdogSeconds fails (or, ending, is ended) with the state named. */
  private async watchdog(live: Task[], now: number): Promise<void> {
    const moved = new Map(await Promise.all(live.map(async (t) => [t.id, await this.tasks.lastMoved(t.id)] as const)));
    for (const { task, action, message } of stuckTasks(live, moved, now, this.watchdogSeconds)) {
      this.log.warn({ taskId: task.id, commandId: task.commandId, state: task.state }, message);
      if (action === 'fail') await this.flow.fail(task, { reason: STUCK_REASON, message });
      else await this.flow.onReleased({ taskId: task.id });
    }
  }
}
