import { REASONS } from '@jss/contract';
import { ACTIVE_STATES, OUTCOME_OF, Task, TaskState } from '@jss/tasks';

/**
 * States that wait by design, each ended by its own rule: a test until test-cleanup or its ttl, a
 * continuous failover in standby until its cut-over or cancel, a planned failover's awaiting-point
 * until PLANNED_FAILOVER_TIMEOUT_SECONDS, a plan's approve step until plan-continue or its own
 * timeout, a failover awaiting its commit until commit, rollback or its policy's afterSeconds (a
 * watchdog failing it would remove the VMs it recovered).
 */
export const WAITING_STATES: readonly TaskState[] = ['testing', 'standby', 'awaiting-point', 'awaiting-approval', 'awaiting-commit'];

export interface StuckTask {
  task: Task;
  idleSeconds: number;
  /** fail: a working state (fails it with task-stuck); end: an ending state whose release never came back */
  action: 'fail' | 'end';
  message: string;
}

/**
 * The live tasks that made no move for longer than `boundSeconds` in a state that does not wait by
 * design. A move is a state change, or (rehydrating) bytes reported by a range job.
 */
export function stuckTasks(live: Task[], lastMoved: ReadonlyMap<string, number | null>, now: number, boundSeconds: number): StuckTask[] {
  const stuck: StuckTask[] = [];
  for (const task of live) {
    if (WAITING_STATES.includes(task.state)) continue;
    const moved = Math.max(Date.parse(task.updatedAt), lastMoved.get(task.id) ?? 0);
    const idleSeconds = Math.round((now - moved) / 1000);
    if (idleSeconds <= boundSeconds) continue;
    const action = ACTIVE_STATES.includes(task.state) ? 'fail' : OUTCOME_OF[task.state] ? 'end' : null;
    if (!action) continue;
    const message = `the task made no move in state "${task.state}" for ${idleSeconds}s (watchdog bound ${boundSeconds}s)`;
    stuck.push({ task, idleSeconds, action, message });
  }
  return stuck;
}

export const STUCK_REASON = REASONS.taskStuck;
