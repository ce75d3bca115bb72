// Exchange, queue and routing-key names: the public contract (jss.commands, jss.events) and the
// internal work queues between the services. One place; every app and the CLI import from here.

export const EXCHANGES = {
  /** users publish commands here, routing key recovery.<operation> */
  commands: 'jss.commands',
  /** every public event, routing key = the event's short type */
  events: 'jss.events',
  /** service-to-service work and replies */
  internal: 'jss.internal',
  /** what could not be processed */
  deadLetter: 'jss.dlx',
} as const;

export const QUEUES = {
  plannerCommands: 'jss.planner.commands',
  plannerReplies: 'jss.planner.replies',
  provisionerWork: 'jss.provisioner.work',
  rehydratorJobs: 'jss.rehydrator.jobs',
  janitorWork: 'jss.janitor.work',
  replicatorWork: 'jss.replicator.work',
  /** recovery points to scan: point.created from jss.events, scan.request from jss.internal */
  scannerPoints: 'jss.scanner.points',
  deadLetters: 'jss.dead-letters',
  /** dead letters the planner has settled (failed their task), marked with x-jss-reason; kept for an operator */
  parkedDeadLetters: 'jss.dead-letters.parked',
} as const;

export const OPERATIONS = [
  'failover',
  'planned-failover',
  'continuous-failover',
  'failback',
  'restore',
  'test-failover',
  'test-cleanup',
  'cancel',
  'commit',
  'rollback',
  'drill-schedule',
  'drill-unschedule',
  /** store a new version of a domain's recovery plan (YAML) */
  'plan-apply',
  /** answer with a domain's recovery plan (plan.shown) */
  'plan-show',
  /** a task paused at a plan's approve step goes on */
  'plan-continue',
] as const;
export type Operation = (typeof OPERATIONS)[number];

export const commandRoutingKey = (op: Operation): string => `recovery.${op}`;
/** The operation a routing key names: exactly recovery.<operation>, else null. */
export const operationOf = (routingKey: string): Operation | null => {
  const op = /^recovery\.([a-z-]{1,40})$/.exec(routingKey)?.[1];
  return OPERATIONS.find((o) => o === op) ?? null;
};
export const commandType = (op: Operation): string => `io.jss.recovery.${op}`;
export const eventType = (shortType: string): string => `io.jss.${shortType}`;

/** Header naming why a message was dead-lettered. */
export const DEAD_LETTER_REASON_HEADER = 'x-jss-reason';
