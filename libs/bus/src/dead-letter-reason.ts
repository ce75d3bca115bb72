import { DEAD_LETTER_REASON_HEADER } from '@jss/contract';

export type MessageHeaders = Record<string, unknown>;

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
