import { Messenger, Route, route } from '@jss/bus';
import { MessageKind, REPLIES } from '@jss/contract';
import { Logger } from '@jss/observability';
import { TaskStore } from '@jss/tasks';
import { failureReason } from './failure-reason';
import { taskIsActive } from './task-guard';

export interface StepDeps {
  tasks: TaskStore;
  messenger: Messenger;
  log: Logger;
}

/** A worker's route: each message of `kind` runs `fn` as one step of its task (see runStep). */
export function stepRoute<T extends { taskId: string; commandId: string }>(
  deps: StepDeps,
  kind: MessageKind<T>,
  step: string,
  fn: (work: T, traceparent?: string) => Promise<void>,
): Route {
  return route(kind, (work, event) => runStep(deps, work, step, event.traceparent, () => fn(work, event.traceparent)));
}

/**
 * Runs one step of a task in a worker service: skipped when the task is no longer active; an
 * expected failure is reported to the planner as reply.failed (and the message acked); anything
 * else is rethrown so that the message is redelivered.
 */
async function runStep(
  deps: StepDeps,
  work: { taskId: string; commandId: string },
  step: string,
  traceparent: string | undefined,
  fn: () => Promise<void>,
): Promise<void> {
  const log = deps.log.child({ taskId: work.taskId, commandId: work.commandId, step });
  if (!(await taskIsActive(deps.tasks, work.taskId))) {
    log.info('task no longer active; step skipped');
    return;
  }
  try {
    await fn();
  } catch (err) {
    const reason = failureReason(err);
    if (!reason) throw err;
    const message = err instanceof Error ? err.message : String(err);
    log.warn({ reason, message }, 'step failed');
    const { taskId, commandId } = work;
    await deps.messenger.send(REPLIES.failed, { taskId, commandId, step, reason, message: message.slice(0, 2000) }, traceparent);
  }
}
