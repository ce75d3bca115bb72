import type { MessageProperties, Options } from 'amqplib';
import { DEAD_LETTER_REASON_HEADER, PUBLISHER_HEADER } from '@jss/contract';

export type MessageHeaders = Record<string, unknown>;

/**
 * The properties of a message this service publishes again (to jss.dlx, to the parking queue): the
 * original's, persistent, with more headers — but never its user_id, which RabbitMQ refuses unless it
 * is this connection's user (the channel would close and the message loop): it is kept in
 * x-jss-publisher instead.
 */
export function republishedProperties(properties: MessageProperties, headers: MessageHeaders): Options.Publish {
  const { userId, headers: original, ...rest } = properties as MessageProperties & { userId?: string };
  const publisher = userId ?? (original?.[PUBLISHER_HEADER] as string | undefined);
  return {
    ...(rest as Options.Publish),
    persistent: true,
    headers: { ...original, ...(publisher !== undefined && { [PUBLISHER_HEADER]: publisher }), ...headers },
  };
}

interface XDeath {
  reason?: string;
  queue?: string;
  count?: number;
}

/**
 * Why a message is in jss.dead-letters: the reason a service gave (x-jss-reason), or what the broker
 * wrote in x-death when it dead-lettered the message itself (the delivery limit of a quorum queue).
 */
export function deadLetterReason(headers: MessageHeaders = {}): string {
  const given = headers[DEAD_LETTER_REASON_HEADER];
  if (typeof given === 'string' && given) return given;
  const death = (Array.isArray(headers['x-death']) ? (headers['x-death'][0] as XDeath) : undefined) ?? {};
  const reason = death.reason ?? String(headers['x-first-death-reason'] ?? 'unknown');
  const queue = death.queue ?? String(headers['x-first-death-queue'] ?? 'an unknown queue');
  if (reason === 'delivery_limit') return `delivery limit: the consumers of ${queue} failed on it until the broker dead-lettered it`;
  return `dead-lettered by the broker from ${queue} (${reason})`;
}

/** The queue a dead letter came from. */
export function deadLetterQueue(headers: MessageHeaders = {}): string | null {
  const queue = headers['x-jss-queue'] ?? headers['x-first-death-queue'];
  return typeof queue === 'string' ? queue : null;
}
