import type { z } from 'zod';
import type { eventDataSchemas } from './event-schemas';
import type { EventName } from './event-names';

// The types of the public events' data, from their schemas (event-schemas.ts); names in event-names.ts.

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
export type PointCreatedData = DataOf<'point.created'>;
export type PointScannedData = DataOf<'point.scanned'>;
/** A task's recovery point, with its scan verdict when looked up. */
export type TaskPoint = TaskAcceptedData['recoveryPoint'];
