// Public events on jss.events. Routing key = short type; CloudEvents type = io.jss.<short type>;
// subject = task id; data.commandId = the id of the command that caused the event. The point.*
// events are of no task and no command: their subject is the recovery point's id.

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
  pointCreated: 'point.created',
  pointScanned: 'point.scanned',
  pointSuspicious: 'point.suspicious',
} as const;
export type EventName = (typeof EVENTS)[keyof typeof EVENTS];
