import { randomUUID } from 'node:crypto';
import { AmqpBus } from '@jss/bus';
import {
  CloudEvent,
  DomainUpdatedData,
  DrillScheduledData,
  EVENTS,
  EXCHANGES,
  EventDataMap,
  Operation,
  PlanAppliedData,
  PlanShownData,
  ReprotectStartedData,
  TaskCompletedData,
  TaskPlannedData,
  TaskReadyData,
  TaskSyncedData,
  cloudEvent,
  commandRoutingKey,
  commandType,
} from '@jss/contract';
import { CliError } from './cli-error';
import { inFlagTerms } from './flag-terms';
import { noAnswer } from './no-answer';
import { planStepLine } from './plan-step-lines';
import { ProgressView } from './progress-view';
import { sayError } from './output';

export interface Outcome {
  /** none for a dry run */
  taskId?: string;
  completed?: TaskCompletedData;
  ready?: TaskReadyData;
  synced?: TaskSyncedData;
  planned?: TaskPlannedData;
  cancelled?: boolean;
  rolledBack?: boolean;
  /** drill-schedule's answer (no task) */
  drillScheduled?: DrillScheduledData;
  /** drill-unschedule's answer (no task) */
  drillUnscheduled?: boolean;
  /** plan-apply's answer */
  applied?: PlanAppliedData;
  /** plan-show's answer */
  shown?: PlanShownData;
  /** plan-continue: the approve step is passed */
  continued?: boolean;
  /** reprotect's answer */
  reprotect?: ReprotectStartedData;
  /** domain-set's answer */
  domain?: DomainUpdatedData;
}

export interface FollowOptions {
  /** follow until the task ends (or, for a test failover, until its Test VMs are up) */
  wait: boolean;
  /** no progress bars (JSON output) */
  quiet?: boolean;
  /** cancel / test-cleanup: the task whose end answers the command */
  taskId?: string;
  /** how long to wait for the planner's first answer (30 s by default) */
  timeoutSeconds?: number;
}

const ANSWER_TIMEOUT_SECONDS = 30;

/**
 * Publishes a command and follows its events: those whose data.commandId is the command's id, and
 * for cancel / test-cleanup those of the task it names. Subscribes before publishing so that nothing
 * is missed. Resolves once accepted (with `wait`: once the task ends or its Test VMs are up), with
 * a dry run's plan, or throws a CliError with the reason of a rejection or a failure.
 */
export async function publishAndFollow(bus: AmqpBus, op: Operation, data: object, opts: FollowOptions): Promise<Outcome> {
  const id = randomUUID();
  const view = opts.wait && !opts.quiet ? new ProgressView() : null;
  let taskId = opts.taskId ?? '';
  const done = new Promise<Outcome>((resolve, reject) => {
    const seconds = opts.timeoutSeconds ?? ANSWER_TIMEOUT_SECONDS;
    const dryRun = (data as { dryRun?: boolean }).dryRun === true;
    const timer = setTimeout(() => void noAnswer(bus, id, seconds, dryRun).then(reject), seconds * 1000);
    const settle = (outcome: Outcome | CliError) => {
      clearTimeout(timer);
      if (outcome instanceof CliError) reject(outcome);
      else resolve(outcome);
    };
    const onEvent = (event: CloudEvent, key: string) => {
      const mine = (event.data as { commandId?: string })?.commandId === id || (!!opts.taskId && event.subject === opts.taskId);
      if (!mine) return;
      const d = event.data as EventDataMap[keyof EventDataMap];
      switch (key) {
        case EVENTS.commandRejected: {
          const r = d as EventDataMap['command.rejected'];
          const message = inFlagTerms(r.message);
          return settle(new CliError(`rejected (${r.reason}): ${message}`, 1, { reason: r.reason, message, commandId: id }));
        }
        case EVENTS.taskPlanned:
          return settle({ taskId: opts.taskId, planned: d as TaskPlannedData });
        case EVENTS.drillScheduled:
          return settle({ drillScheduled: d as DrillScheduledData });
        case EVENTS.drillUnscheduled:
          return settle({ drillUnscheduled: true });
        case EVENTS.planApplied:
          return settle({ applied: d as PlanAppliedData });
        case EVENTS.planShown:
          return settle({ shown: d as PlanShownData });
        case EVENTS.reprotectStarted:
          // a failover's own re-protection is news on its way to the end, not its answer
          if (op !== 'reprotect') return view?.log(`re-protection started: a point every ${(d as ReprotectStartedData).everySeconds}s`);
          return settle({ reprotect: d as ReprotectStartedData });
        case EVENTS.domainUpdated:
          return settle({ domain: d as DomainUpdatedData });
        case EVENTS.planStepStarted:
        case EVENTS.planStepCompleted:
        case EVENTS.planStepFailed: {
          const step = d as EventDataMap['plan.step-started'];
          if (op === 'plan-continue' && key === EVENTS.planStepCompleted && step.kind === 'approve')
            return settle({ taskId, continued: true });
          return view?.log(planStepLine(key, step, taskId));
        }
        case EVENTS.taskAccepted: {
          taskId = event.subject ?? '';
          view?.log(`task ${taskId} accepted`);
          const point = (d as EventDataMap['task.accepted']).recoveryPoint;
          // named on purpose, it proceeds: say so where the operator looks
          if (point.verdict === 'suspicious') sayError(`jssctl: warning: recovery point ${point.id} is suspicious: ${point.message ?? ''}`);
          if (!opts.wait) settle({ taskId });
          else clearTimeout(timer);
          return;
        }
        case EVENTS.taskProgress:
          return view?.update(d as EventDataMap['task.progress']);
        case EVENTS.taskStalled:
          return view?.log(`stalled: no bytes moved for ${(d as EventDataMap['task.stalled']).stalledSeconds}s (are rehydrators running?)`);
        case EVENTS.vmCreated:
        case EVENTS.vmDeleted: {
          const v = d as EventDataMap['vm.created'];
          return view?.log(`${key === EVENTS.vmCreated ? 'created' : 'deleted'} ${v.kind} ${v.name}${v.ip ? ` (${v.ip})` : ''}`);
        }
        case EVENTS.taskReady:
          view?.complete();
          return settle({ taskId, ready: d as TaskReadyData });
        case EVENTS.taskSynced:
          // a continuous failover is standing by; a cut-over follows it to the end instead
          if (op === 'continuous-failover') return settle({ taskId, synced: d as TaskSyncedData });
          return view?.log(`RVMs hold ${(d as TaskSyncedData).recoveryPoint.id}`);
        case EVENTS.taskCompleted:
          view?.complete();
          return settle({ taskId, completed: d as TaskCompletedData });
        case EVENTS.taskRolledBack:
          return settle({ taskId, rolledBack: true });
        case EVENTS.taskCancelled:
          return settle(opts.taskId ? { taskId, cancelled: true } : new CliError(`task ${taskId} was cancelled`));
        case EVENTS.taskFailed: {
          const f = d as EventDataMap['task.failed'];
          return settle(
            new CliError(`task ${taskId} failed (${f.reason}): ${f.message}`, 1, { reason: f.reason, message: f.message, taskId }),
          );
        }
      }
    };
    bus
      .subscribe(EXCHANGES.events, ['#'], onEvent)
      .then(() =>
        bus.publish(EXCHANGES.commands, commandRoutingKey(op), cloudEvent({ id, type: commandType(op), source: '/jssctl', data }), {
          userId: bus.user,
        }),
      )
      .catch(reject);
  });
  try {
    return await done;
  } finally {
    view?.stop();
  }
}
