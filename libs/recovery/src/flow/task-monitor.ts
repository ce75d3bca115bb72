import { Messenger } from '@jss/bus';
import { EVENTS, OPERATIONS } from '@jss/contract';
import { Logger, metrics } from '@jss/observability';
import { Task, TaskStore } from '@jss/tasks';
import { progressOf } from '../progress';
import { TaskFlow } from './task-flow';
import { STUCK_REASON, stuckTasks } from './watchdog';

/**
 * Watches the live tasks: the running-tasks gauge, test failovers past their time limit, and stall detection — a rehydrating task whose
 * bytes have not moved for `stallSeconds` gets one task.stalled (the flag in Redis makes it one
 * across planner replicas); the next bytes that move clear it (range-progress.ts). Also re-sends what a
 * crash left in a task's outbox, and runs the watchdog (watchdog.ts).
 */
export class TaskMonitor {
  constructor(
    private readonly tasks: TaskStore,
    private readonly messenger: Messenger,
    private readonly flow: TaskFlow,
    private readonly log: Logger,
    private readonly stallSeconds: number,
    private readonly watchdogSeconds = Infinity,
  ) {}

  async check(now = Date.now()): Promise<void> {
    const live = (await Promise.all((await this.tasks.liveIds()).map((id) => this.tasks.get(id)))).filter((t): t is Task => t !== null);
    for (const operation of OPERATIONS) metrics.tasksRunning.set({ operation }, live.filter((t) => t.operation === operation).length);
    await this.flow.resendStale(now);
    await this.flow.expireWaits(now);
    for (const t of live.filter((x) => x.state === 'awaiting-point')) await this.flow.awaitPoint(t.id, now);
    const planned = live.filter((t) => t.spec.recoveryPlan && (t.state === 'finalizing' || t.state === 'awaiting-approval'));
    for (const t of planned) await this.flow.drivePlan(t.id, now);
    const standby = live.filter((t) => t.state === 'standby');
    for (const t of standby) await this.flow.advance(t.id);
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
