import { UnconfirmedWriteError } from './write-confirmation';

// Answers Redis gives while it cannot take writes for a time — a promotion under way, every replica
// gone (min-replicas-to-write), a node loading its data — as against an error of the command itself.
const OUTAGE_REPLIES = /^(NOREPLICAS|READONLY|LOADING|MASTERDOWN|TRYAGAIN)\b/;

/**
 * Whether an error says that Redis is away for now, not that the work is wrong: a guarded write no
 * replica confirmed, one of the replies above (or a MULTI that EXECABORT discarded because of one:
 * ioredis lists the queued commands' errors in `previousErrors`), or a connection closed under the
 * command. Such work succeeds when tried again once Redis is back.
 */
export function isRedisOutage(err: unknown): boolean {
  if (err instanceof UnconfirmedWriteError) return true;
  if (!(err instanceof Error)) return false;
  const previous = (err as { previousErrors?: unknown }).previousErrors;
  if (err.message.startsWith('EXECABORT') && Array.isArray(previous)) return previous.some(isRedisOutage);
  return OUTAGE_REPLIES.test(err.message) || err.message === 'Connection is closed.';
}
