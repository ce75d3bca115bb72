import type { ConfirmChannel } from 'amqplib';
import { EVENTS, EXCHANGES, OPERATIONS, QUEUES, REPLIES, SCAN_REQUEST, TIMING, WORK, commandRoutingKey } from '@jss/contract';

/** A durable quorum work queue, the patterns bound to it, and the routing keys of the contract that reach it. */
export interface QueueSpec {
  name: string;
  bindings: Array<{ exchange: string; pattern: string }>;
  keys: readonly string[];
}

const internal = (...keys: string[]) => ({ bindings: keys.map((pattern) => ({ exchange: EXCHANGES.internal, pattern })), keys });

/** Routing key of the planner's handler for a command whose key names no operation. */
export const UNKNOWN_COMMAND = 'recovery.unknown';
/** Routing key of the planner's handler told of a command body that is not a CloudEvent. */
export const UNREADABLE_COMMAND = 'recovery.unreadable';

export const SERVICE_QUEUES = {
  // every routing key, so that one naming no operation (`failover`, `recovery.a.b`) is answered with
  // command.rejected instead of vanishing; bindings only add, so brokers declared before need no change
  plannerCommands: {
    name: QUEUES.plannerCommands,
    bindings: [{ exchange: EXCHANGES.commands, pattern: '#' }],
    keys: OPERATIONS.map(commandRoutingKey),
  },
  plannerReplies: {
    name: QUEUES.plannerReplies,
    bindings: [{ exchange: EXCHANGES.internal, pattern: 'reply.#' }],
    keys: Object.values(REPLIES).map((r) => r.key),
  },
  provisionerWork: { name: QUEUES.provisionerWork, ...internal(WORK.prepare.key, WORK.finalize.key, WORK.powerOff.key) },
  rehydratorJobs: { name: QUEUES.rehydratorJobs, ...internal(WORK.range.key) },
  janitorWork: { name: QUEUES.janitorWork, ...internal(WORK.release.key) },
  replicatorWork: { name: QUEUES.replicatorWork, ...internal(WORK.replicate.key) },
  // the writers' announcements (public events) and the requests of the listings and the planner
  scannerPoints: {
    name: QUEUES.scannerPoints,
    bindings: [
      { exchange: EXCHANGES.events, pattern: EVENTS.pointCreated },
      { exchange: EXCHANGES.internal, pattern: SCAN_REQUEST.key },
    ],
    keys: [EVENTS.pointCreated, SCAN_REQUEST.key],
  },
} satisfies Record<string, QueueSpec>;

/** Exchanges and the dead-letter queue; declared by every process (idempotent). */
export async function declareExchanges(ch: ConfirmChannel): Promise<void> {
  for (const name of [EXCHANGES.commands, EXCHANGES.events, EXCHANGES.internal, EXCHANGES.deadLetter, EXCHANGES.parked]) {
    await ch.assertExchange(name, 'topic', { durable: true });
  }
  await ch.assertQueue(QUEUES.deadLetters, { durable: true, arguments: { 'x-queue-type': 'quorum' } });
  await ch.bindQueue(QUEUES.deadLetters, EXCHANGES.deadLetter, '#');
  await ch.assertQueue(QUEUES.parkedDeadLetters, { durable: true, arguments: { 'x-queue-type': 'quorum' } });
  await ch.bindQueue(QUEUES.parkedDeadLetters, EXCHANGES.parked, '#');
}

export async function declareQueue(ch: ConfirmChannel, spec: QueueSpec): Promise<void> {
  await ch.assertQueue(spec.name, {
    durable: true,
    arguments: {
      'x-queue-type': 'quorum',
      'x-dead-letter-exchange': EXCHANGES.deadLetter,
      'x-delivery-limit': TIMING.message.deliveryLimit,
    },
  });
  for (const b of spec.bindings) await ch.bindQueue(spec.name, b.exchange, b.pattern);
}
