import { randomUUID } from 'node:crypto';
import { AmqpBus } from '@jss/bus';
import {
  CloudEvent,
  CommandRejectedData,
  EVENTS,
  EXCHANGES,
  Operation,
  TaskCompletedData,
  TaskFailedData,
  TaskProgressData,
  TaskStalledData,
  VmEventData,
  cloudEvent,
  commandRoutingKey,
  commandType,
} from '@jss/contract';
import { CliError } from './cli-error';
import { ProgressView } from './progress-view';

export interface Outcome {
  taskId: string;
  completed?: TaskCompletedData;
}

const ACCEPT_TIMEOUT_MS = 30_000;

/**
 * Publishes a command and follows its events (matched by data.commandId). Subscribes before
 * publishing so that nothing is missed. Resolves with the task id once accepted, or — with
 * `wait` — once the task ends; a rejection or failure throws a CliError with the reason.
 */
export async function publishAndFollow(bus: AmqpBus, op: Operation, data: object, opts: { wait: boolean; quiet?: boolean }): Promise<Outcome> {
  const id = randomUUID();
  const view = opts.wait && !opts.quiet ? new ProgressView() : null;
  let taskId = '';
  const done = new Promise<Outcome>((resolve, reject) => {
    const timer = setTimeout(() => reject(new CliError(`no answer to command ${id} within ${ACCEPT_TIMEOUT_MS / 1000}s: is the planner running?`)), ACCEPT_TIMEOUT_MS);
    void bus.subscribe(EXCHANGES.events, ['#'], (event: CloudEvent, key) => {
      const d = event.data as { commandId?: string };
      if (d?.commandId !== id) return;
      switch (key) {
        case EVENTS.commandRejected: {
          const r = d as CommandRejectedData;
          return reject(new CliError(`rejected (${r.reason}): ${r.message}`));
        }
        case EVENTS.taskAccepted:
          clearTimeout(timer);
          taskId = event.subject ?? '';
          view?.log(`task ${taskId} accepted`);
          if (!opts.wait) resolve({ taskId });
          return;
        case EVENTS.taskProgress:
          return view?.update(d as TaskProgressData);
        case EVENTS.vmCreated:
        case EVENTS.vmDeleted: {
          const v = d as VmEventData;
          return view?.log(`${key === EVENTS.vmCreated ? 'created' : 'deleted'} ${v.kind} ${v.name}${v.ip ? ` (${v.ip})` : ''}`);
        }
        case EVENTS.taskStalled: {
          const st = d as TaskStalledData;
          return view?.log(`stalled: no bytes moved for ${st.stalledSeconds}s (are rehydrators running?)`);
        }
        case EVENTS.taskCompleted:
          return resolve({ taskId, completed: d as TaskCompletedData });
        case EVENTS.taskFailed: {
          const f = d as TaskFailedData;
          return reject(new CliError(`task ${taskId} failed (${f.reason}): ${f.message}`));
        }
        case EVENTS.taskCancelled:
          return reject(new CliError(`task ${taskId} was cancelled`));
      }
    }).then(
      () => bus.publish(EXCHANGES.commands, commandRoutingKey(op), cloudEvent({ id, type: commandType(op), source: '/jssctl', data })),
    ).catch(reject);
  });
  try {
    return await done;
  } finally {
    view?.stop();
  }
}
