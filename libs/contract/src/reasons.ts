// Stable reason codes of command.rejected and task.failed: users' tools branch on them.
export const REASONS = {
  invalidCommand: 'invalid-command',
  /** the command carries no AMQP user_id (the broker checks it is the connection's user) */
  unauthenticated: 'unauthenticated',
  /** the role map does not let the principal run that operation on that domain */
  forbidden: 'forbidden',
  /** the command id was used before by another principal */
  duplicateCommand: 'duplicate-command',
  unsupportedOperation: 'unsupported-operation',
  /** a task would pass one of the contract's LIMITS (the message names the limit and the value) */
  limitExceeded: 'limit-exceeded',
  unknownDomain: 'unknown-domain',
  unknownVm: 'unknown-vm',
  unknownRecoveryPoint: 'unknown-recovery-point',
  unknownCluster: 'unknown-cluster',
  unknownDatastore: 'unknown-datastore',
  unknownNetwork: 'unknown-network',
  noDhcp: 'no-dhcp',
  dhcpExhausted: 'dhcp-exhausted',
  datastoreFull: 'datastore-full',
  vmExists: 'vm-exists',
  vmBusy: 'vm-busy',
  unknownTask: 'unknown-task',
  taskEnded: 'task-ended',
  notATest: 'not-a-test',
  notContinuous: 'not-continuous',
  notAwaitingCommit: 'not-awaiting-commit',
  /** plan-continue for a task that is not paused at an approve step */
  notAwaitingApproval: 'not-awaiting-approval',
  /** a recovery plan refused at plan-apply (the message names the line at fault) */
  invalidPlan: 'invalid-plan',
  /** plan-show for a domain without a recovery plan */
  noPlan: 'no-plan',
  /** a step of the task's recovery plan failed (webhook, check, approve timed out) */
  planStepFailed: 'plan-step-failed',
  pointTimeout: 'point-timeout',
  /** recoveryPoint "last-clean": points newer than the last clean one got no verdict in time (no scanner, or scanning disabled) */
  pointUnscanned: 'point-unscanned',
  /** recoveryPoint "last-clean": no scanned point of the domain has every VM asked for clean */
  noCleanPoint: 'no-clean-point',
  noFailbackPoint: 'no-failback-point',
  /** reprotect: the domain's VMs do not run at the recovery site (no failover of it has completed) */
  notFailedOver: 'not-failed-over',
  networkNotIsolated: 'network-not-isolated',
  blocksMissing: 'blocks-missing',
  unsupportedDisk: 'unsupported-disk',
  storeUnreachable: 'store-unreachable',
  blockCorrupt: 'block-corrupt',
  platformError: 'platform-error',
  internalError: 'internal-error',
  /** a service failed on one of the task's messages until the delivery limit dead-lettered it */
  deadLettered: 'dead-lettered',
  /** the watchdog: the task made no move in one state for longer than TASK_WATCHDOG_SECONDS */
  taskStuck: 'task-stuck',
  /** drill-unschedule: the domain has no drill schedule */
  noDrillSchedule: 'no-drill-schedule',
  /** a drill: a Test VM was not powered on with an address before the drill's time limit */
  checkFailed: 'check-failed',
  /** a drill: a Test VM was still on the platform once its task had ended */
  cleanupIncomplete: 'cleanup-incomplete',
} as const;

export type Reason = (typeof REASONS)[keyof typeof REASONS];

/** An expected failure with a reason code and a sentence a person understands. */
export class ReasonedError extends Error {
  constructor(
    readonly reason: Reason,
    message: string,
  ) {
    super(message);
    this.name = 'ReasonedError';
  }
}
