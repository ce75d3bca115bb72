import pRetry from 'p-retry';
import { TIMING, retryWithinOptionsOf } from '@jss/contract';

export interface OutagePolicy {
  /** whether an error says a store is away for now: the work runs again; any other error ends it */
  isOutage(err: unknown): boolean;
  /** told of each run that failed as an outage, before the next (attempt: from 1) */
  onOutage?(err: Error, attempt: number): void;
  /** how long to keep trying (default TIMING.message.outageBudgetMs); then the last error */
  budgetMs?: number;
}

/**
 * Runs `work`; while it fails because a store is away, runs it again with the outage backoff, within
 * the budget. A service's queue consumer runs every handler so (queue-consumer.ts): requeued instead,
 * the message would spend the deliveries that tell a poison message, and a Redis promotion that
 * outlasts them would dead-letter sound work.
 */
export function outlastOutage<T>(
  work: () => Promise<T>,
  { isOutage, onOutage, budgetMs = TIMING.message.outageBudgetMs }: OutagePolicy,
): Promise<T> {
  return pRetry(work, {
    ...retryWithinOptionsOf(TIMING.message.outageBackoff, budgetMs),
    onFailedAttempt: (err) => {
      if (!isOutage(err)) throw err;
      onOutage?.(err, err.attemptNumber);
    },
  });
}
