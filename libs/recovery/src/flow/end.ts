import { EVENTS, REASONS } from '@jss/contract';
import { ACTIVE_STATES, Task, TaskError } from '@jss/tasks';
import { Decision } from './decision';
import { causeOf, event } from './outbound';
import { releaseWork } from './work-messages';

/** Any failure: remove what the task created (final VMs too, source power restored), then end it failed. */
export function failDecision(task: Task, error: TaskError): Decision {
  return { task, move: { from: ACTIVE_STATES, to: 'failing', patch: { error } }, send: [releaseWork(task, true)] };
}

/** cancel: in-flight jobs stop (their task is no longer active), everything the task created is removed. */
export function cancelDecision(task: Task): Decision {
  return { task, move: { from: ACTIVE_STATES, to: 'cancelling' }, send: [releaseWork(task, true)] };
}

/** test-cleanup (or the time limit): the Test VMs are removed and the test ends completed; before that, a cancel. */
export function cleanupTestDecision(task: Task): Decision {
  if (task.state !== 'testing') return cancelDecision(task);
  return { task, move: { from: ['testing'], to: 'cleaning' }, send: [releaseWork(task, false)] };
}

/** A failover waiting for its commit: commit ends it completed; rollback removes what it recovered (source power restored). */
export function commitDecision(task: Task, verdict: 'commit' | 'rollback'): Decision {
  const to = verdict === 'commit' ? 'cleaning' : 'rolling-back';
  return { task, move: { from: ['awaiting-commit'], to }, send: [releaseWork(task, verdict === 'rollback')] };
}

export type Outcome = 'completed' | 'failed' | 'cancelled' | 'rolled-back';

/** The end event of an outcome. */
export function endEvent(task: Task, outcome: Outcome, durationSeconds: number) {
  const cause = causeOf(task);
  const ids = { taskId: cause.taskId, commandId: cause.commandId, requestedBy: task.requestedBy };
  if (outcome === 'completed') {
    return event(EVENTS.taskCompleted, {
      ...ids,
      operation: task.operation,
      domain: task.domain,
      vms: (task.recovered ?? []).map(({ poweredOnAt: _p, ...v }) => v),
      bytesTotal: task.bytesTotal,
      durationSeconds,
    });
  }
  if (outcome === 'failed') return event(EVENTS.taskFailed, { ...ids, ...task.error! });
  if (outcome === 'rolled-back') return event(EVENTS.taskRolledBack, ids);
  return event(EVENTS.taskCancelled, ids);
}

/** The task's recovery point is gone from the store: nothing can be rehydrated. */
export const vanishedDecision = (task: Task) =>
  failDecision(task, { reason: REASONS.unknownRecoveryPoint, message: `recovery point ${task.point.id} vanished` });
