import type { z } from 'zod';
import type { eventDataSchemas } from './event-schemas';

// Public events on jss.events. Routing key = short type; CloudEvents type = io.jss.<short type>;
// subject = task id; data.commandId = the id of the command that caused the event.

/** The CloudEvents type of an event: io.jss.<short type>. */
export const eventType = (shortType: string): string => `io.jss.${shortType}`;

export const EVENTS = {
  commandRejected: 'command.rejected',
  taskAccepted: 'task.accepted',
  taskProgress: 'task.progress',
  taskCompleted: 'task.completed',
  taskFailed: 'task.failed',
  taskCancelled: 'task.cancelled',
  taskRolledBack: 'task.rolled-back',
  taskStalled: 'task.stalled',
  taskReady: 'task.ready',
  taskPlanned: 'task.planned',
  taskReport: 'task.report',
  taskSynced: 'task.synced',
  applianceCreated: 'appliance.created',
  applianceDeleted: 'appliance.deleted',
  vmCreated: 'vm.created',
  vmDeleted: 'vm.deleted',
  drillScheduled: 'drill.scheduled',
  drillUnscheduled: 'drill.unscheduled',
  drillEnded: 'drill.ended',
  planStepStarted: 'plan.step-started',
  planStepCompleted: 'plan.step-completed',
  planStepFailed: 'plan.step-failed',
  planApplied: 'plan.applied',
  planShown: 'plan.shown',
  reprotectStarted: 'reprotect.started',
  reprotectEnded: 'reprotect.ended',
  domainUpdated: 'domain.updated',
} as const;
export type EventName = (typeof EVENTS)[keyof typeof EVENTS];

type DataOf<K extends EventName> = z.infer<(typeof eventDataSchemas)[K]>;
export type EventDataMap = { [K in EventName]: DataOf<K> };

export type CommandRejectedData = DataOf<'command.rejected'>;
export type TaskAcceptedData = DataOf<'task.accepted'>;
export type TaskProgressData = DataOf<'task.progress'>;
export type VmProgress = TaskProgressData['vms'][string];
export type TaskStalledData = DataOf<'task.stalled'>;
export type TaskCompletedData = DataOf<'task.completed'>;
export type RecoveredVm = TaskCompletedData['vms'][number];
export type TaskFailedData = DataOf<'task.failed'>;
export type TaskReadyData = DataOf<'task.ready'>;
export type TaskPlannedData = DataOf<'task.planned'>;
export type TaskReportData = DataOf<'task.report'>;
export type TaskSyncedData = DataOf<'task.synced'>;
export type VmReport = TaskReportData['vms'][number];
export type VmEventData = DataOf<'vm.created'>;
export type DrillScheduledData = DataOf<'drill.scheduled'>;
export type DrillEndedData = DataOf<'drill.ended'>;
export type PlanStepStartedData = DataOf<'plan.step-started'>;
export type PlanStepReport = NonNullable<TaskReportData['plan']>['steps'][number];
export type PlanAppliedData = DataOf<'plan.applied'>;
export type PlanShownData = DataOf<'plan.shown'>;
export type ReprotectStartedData = DataOf<'reprotect.started'>;
export type ReprotectEndedData = DataOf<'reprotect.ended'>;
export type DomainUpdatedData = DataOf<'domain.updated'>;
export type RtoForecast = DataOf<'task.planned'>['forecast'];
