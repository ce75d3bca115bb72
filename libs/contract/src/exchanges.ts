// Exchange and queue names: the public contract (jss.commands, jss.events) and the internal work
// queues between the services. One place; every app and the CLI import from here.

export const EXCHANGES = {
  /** users publish commands here, routing key recovery.<operation> */
  commands: 'jss.commands',
  /** every public event, routing key = the event's short type */
  events: 'jss.events',
  /** service-to-service work and replies */
  internal: 'jss.internal',
  /** what could not be processed */
  deadLetter: 'jss.dlx',
  /** settled dead letters, to the parking queue (an exchange of ours: the services' broker user may not write amq.default) */
  parked: 'jss.parked',
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

/** Header naming why a message was dead-lettered. */
export const DEAD_LETTER_REASON_HEADER = 'x-jss-reason';
/** On a republished (dead-lettered, parked) message: the AMQP user_id it was first published with. */
export const PUBLISHER_HEADER = 'x-jss-publisher';
