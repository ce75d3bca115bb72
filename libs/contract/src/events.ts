// Public events on jss.events. Routing key = short type; CloudEvents type = io.jss.<short type>;
// subject = task id; data.commandId = the id of the command that caused the event.

export const EVENTS = {
  commandRejected: 'command.rejected',
  taskAccepted: 'task.accepted',
  taskProgress: 'task.progress',
  taskCompleted: 'task.completed',
  taskFailed: 'task.failed',
  taskCancelled: 'task.cancelled',
  taskStalled: 'task.stalled',
  applianceCreated: 'appliance.created',
  applianceDeleted: 'appliance.deleted',
  vmCreated: 'vm.created',
  vmDeleted: 'vm.deleted',
} as const;
export type EventName = (typeof EVENTS)[keyof typeof EVENTS];

export type TemporaryKind = 'rocva' | 'rvm' | 'tvm' | 'recovered';

interface Caused {
  commandId: string;
}
interface OfTask extends Caused {
  taskId: string;
}

export interface CommandRejectedData extends Caused {
  reason: string;
  message: string;
  operation?: string;
}
export interface TaskAcceptedData extends OfTask {
  operation: string;
  domain: string;
  vms: string[];
  recoveryPoint: { id: string; time: string };
}
export interface VmProgress {
  bytesDone: number;
  bytesTotal: number;
}
export interface TaskProgressData extends OfTask {
  bytesDone: number;
  bytesTotal: number;
  bytesPerSecond: number;
  etaSeconds: number | null;
  vms: Record<string, VmProgress>;
}
export interface TaskStalledData extends OfTask {
  bytesDone: number;
  bytesTotal: number;
  /** seconds since the bytes last moved */
  stalledSeconds: number;
}
export interface RecoveredVm {
  name: string;
  site: string;
  ip: string | null;
}
export interface TaskCompletedData extends OfTask {
  operation: string;
  domain: string;
  vms: RecoveredVm[];
  bytesTotal: number;
  durationSeconds: number;
}
export interface TaskFailedData extends OfTask {
  reason: string;
  message: string;
}
export interface VmEventData extends OfTask {
  name: string;
  kind: TemporaryKind;
  site: string;
  domain: string;
  ip?: string | null;
}

export interface EventDataMap {
  'command.rejected': CommandRejectedData;
  'task.accepted': TaskAcceptedData;
  'task.progress': TaskProgressData;
  'task.completed': TaskCompletedData;
  'task.failed': TaskFailedData;
  'task.cancelled': OfTask;
  'task.stalled': TaskStalledData;
  'appliance.created': VmEventData;
  'appliance.deleted': VmEventData;
  'vm.created': VmEventData;
  'vm.deleted': VmEventData;
}
