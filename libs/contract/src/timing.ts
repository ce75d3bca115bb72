// Timeouts, attempts and backoff per kind of work: the one table every service takes them from
// (as Temporal declares an activity's timeouts and retry policy beside it, not in its clients).
// Values a deployment tunes are environment variables (libs/config/src/env.ts), their defaults from here.

/** The pause before each retry: `firstMs`, times `factor` after each, at most `maxMs`. */
export interface Backoff {
  firstMs: number;
  factor: number;
  maxMs: number;
}

export const TIMING = {
  /**
   * A message whose handler failed (not for good): back to its queue after `retryDelayMs`, so a
   * failing handler does not spin; the broker dead-letters it after `deliveryLimit` redeliveries.
   * One that failed because Redis is away (a promotion, no replica) is not the message's fault: its
   * handler runs again in hand with `outageBackoff` for up to `outageBudgetMs` first, and only then
   * does the message go back and count as a delivery.
   */
  message: { retryDelayMs: 1000, deliveryLimit: 10, outageBackoff: { firstMs: 250, factor: 2, maxMs: 4000 }, outageBudgetMs: 300_000 },
  /**
   * A call to vCenter (vim25 SOAP): each request answered within `timeoutMs`; no answer at all
   * (vCenter restarting, network down) retried with `backoff` for `budgetMs`, then the call fails.
   * A session is kept alive by a call every `keepAliveMs` (vCenter's idle timeout is 30 min).
   */
  vcenterCall: { timeoutMs: 30_000, budgetMs: 60_000, backoff: { firstMs: 250, factor: 2, maxMs: 2000 }, keepAliveMs: 300_000 },
  /** One vCenter task (create, reconfigure, power, destroy), followed to its end within `timeoutMs`. */
  vcenterTask: { timeoutMs: 600_000 },
  /** A powered-on VM's guest reports its DHCP address (VMware Tools) within `timeoutMs`, looked at with `backoff`. */
  guestAddress: { timeoutMs: 300_000, backoff: { firstMs: 50, factor: 2, maxMs: 2000 } },
  /** A recovery plan's webhook step: its timeout and retries are the step's own (the plan); between attempts, `backoff`. */
  webhook: { backoff: { firstMs: 500, factor: 2, maxMs: 5000 } },
  /** A check step: looked at every `everyMs` until its own timeout; a TCP connection to a VM given `connectTimeoutMs`. */
  check: { everyMs: 1000, connectTimeoutMs: 2000 },
  /** A webhook or check runs under a lease of its longest run plus `leaseMarginMs` (a replica that died leaves it to expire). */
  planEffect: { leaseMarginMs: 10_000 },
  /** A group's finalize that went out this long ago without its group coming up is sent again (finalize is idempotent). */
  powerOn: { resendMs: 30_000 },
  /**
   * The planner's watchdog: a task that made no move for `boundSeconds` fails (TASK_WATCHDOG_SECONDS);
   * bytes that did not move for `stallSeconds` are reported (TASK_STALL_SECONDS); the messages of a
   * move still in its outbox after `outboxStaleMs` were left by a crash and are sent again.
   */
  watchdog: { boundSeconds: 600, stallSeconds: 120, outboxStaleMs: 30_000 },
  /**
   * Scanning recovery points: a `last-clean` command looks again for the verdicts it waits for every
   * `pollMs` (for SCAN_WAIT_SECONDS); a scan giving way to a rehydration looks at the tasks every
   * `yieldLookMs`; a listing asks for an unscanned point again after `requestHoldSeconds` at the
   * soonest (or four listings, if longer).
   */
  scan: { pollMs: 250, yieldLookMs: 250, requestHoldSeconds: 600 },
} as const satisfies Record<string, Record<string, number | Backoff>>;

/** p-retry's (and the retry package's) options for a backoff. */
export const retryOptionsOf = (b: Backoff) => ({ minTimeout: b.firstMs, factor: b.factor, maxTimeout: b.maxMs });

/** The same, retried until `budgetMs` has passed: the backoff's steps up to its longest pause, then that pause again. */
export const retryWithinOptionsOf = (b: Backoff, budgetMs: number) => ({
  ...retryOptionsOf(b),
  retries: Math.ceil(Math.log(b.maxMs / b.firstMs) / Math.log(b.factor)) + 1,
  forever: true,
  maxRetryTime: budgetMs,
});
