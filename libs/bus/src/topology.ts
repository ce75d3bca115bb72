import type { ConfirmChannel } from 'amqplib';
import { EXCHANGES, QUEUES, WORK } from '@jss/contract';

/** A durable quorum work queue and the routing keys bound to it. */
export interface QueueSpec {
  name: string;
  bindings: Array<{ exchange: string; pattern: string }>;
}

/** Redeliveries before the broker dead-letters a message a handler keeps failing on. */
export const DELIVERY_LIMIT = 10;

export const SERVICE_QUEUES = {
  // every routing key, so that one naming no operation (`failover`, `recovery.a.b`) is answered with
  // command.rejected instead of vanishing; bindings only add, so brokers declared before need no change
  plannerCommands: { name: QUEUES.plannerCommands, bindings: [{ exchange: EXCHANGES.commands, pattern: '#' }] },
  plannerReplies: { name: QUEUES.plannerReplies, bindings: [{ exchange: EXCHANGES.internal, pattern: 'reply.#' }] },
  provisionerWork: {
    name: QUEUES.provisionerWork,
    bindings: [WORK.prepare.key, WORK.finalize.key, WORK.powerOff.key].map((pattern) => ({ exchange: EXCHANGES.internal, pattern })),
  },
  rehydratorJobs: { name: QUEUES.rehydratorJobs, bindings: [{ exchange: EXCHANGES.internal, pattern: WORK.range.key }] },
  janitorWork: { name: QUEUES.janitorWork, bindings: [{ exchange: EXCHANGES.internal, pattern: WORK.release.key }] },
  replicatorWork: { name: QUEUES.replicatorWork, bindings: [{ exchange: EXCHANGES.internal, pattern: WORK.replicate.key }] },
} satisfies Record<string, QueueSpec>;

/** Exchanges and the dead-letter queue; declared by every process (idempotent). */
export async function declareExchanges(ch: ConfirmChannel): Promise<void> {
  for (const name of [EXCHANGES.commands, EXCHANGES.events, EXCHANGES.internal, EXCHANGES.deadLetter]) {
    await ch.assertExchange(name, 'topic', { durable: true });
  }
  await ch.assertQueue(QUEUES.deadLetters, { durable: true, arguments: { 'x-queue-type': 'quorum' } });
  await ch.bindQueue(QUEUES.deadLetters, EXCHANGES.deadLetter, '#');
}

export async function declareQueue(ch: ConfirmChannel, spec: QueueSpec): Promise<void> {
  await ch.assertQueue(spec.name, {
    durable: true,
    arguments: {
      'x-queue-type': 'quorum',
      'x-dead-letter-exchange': EXCHANGES.deadLetter,
      'x-delivery-limit': DELIVERY_LIMIT,
    },
  });
  for (const b of spec.bindings) await ch.bindQueue(spec.name, b.exchange, b.pattern);
}
