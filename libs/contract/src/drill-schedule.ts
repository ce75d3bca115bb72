import { CronExpressionParser } from 'cron-parser';

// When a scheduled drill is due: `every` is an interval (`20s`, `15m`, `6h`, `1d`) or a cron
// expression in UTC, five fields (minute hour day-of-month month day-of-week) or six with seconds
// first, or an alias such as `@daily`. Cron expressions are read by cron-parser.

export type Every = { kind: 'interval'; seconds: number } | { kind: 'cron'; expression: string };

const INTERVAL = /^(\d{1,7})(s|m|h|d)$/;
const UNIT_SECONDS = { s: 1, m: 60, h: 3600, d: 86_400 } as const;
/** a drill takes seconds at the least: due times closer than this would only pile up skipped ones */
export const MIN_DRILL_INTERVAL_SECONDS = 5;
const MAX_INTERVAL_SECONDS = 366 * 86_400;

/** The schedule form of `every`, or a sentence saying why it is none. */
export function parseEvery(text: string): Every | string {
  const interval = INTERVAL.exec(text);
  if (interval) {
    const seconds = Number(interval[1]) * UNIT_SECONDS[interval[2] as keyof typeof UNIT_SECONDS];
    if (seconds < MIN_DRILL_INTERVAL_SECONDS || seconds > MAX_INTERVAL_SECONDS)
      return `an interval of ${MIN_DRILL_INTERVAL_SECONDS}s to 366d, got "${text}"`;
    return { kind: 'interval', seconds };
  }
  try {
    const cron = CronExpressionParser.parse(text, { tz: 'UTC' });
    const [a, b] = [cron.next().getTime(), cron.next().getTime()];
    if (b - a < MIN_DRILL_INTERVAL_SECONDS * 1000) return `cron "${text}" is due more often than every ${MIN_DRILL_INTERVAL_SECONDS}s`;
    return { kind: 'cron', expression: text };
  } catch (err) {
    return `an interval (20s, 15m, 6h, 1d) or a cron expression in UTC ("0 3 * * *"); "${text}": ${err instanceof Error ? err.message : String(err)}`;
  }
}

/**
 * The first due time strictly after `afterMs` (ms since the epoch). An interval counts from
 * `anchorMs` (when it was scheduled), so that every replica computes the same due times.
 */
export function nextDue(every: Every, anchorMs: number, afterMs: number): number {
  if (every.kind === 'interval') {
    const period = every.seconds * 1000;
    return anchorMs + (Math.floor(Math.max(0, afterMs - anchorMs) / period) + 1) * period;
  }
  return CronExpressionParser.parse(every.expression, { currentDate: new Date(afterMs), tz: 'UTC' })
    .next()
    .getTime();
}

/** Time between two due times from `fromMs` (a cron's gaps differ: the one coming next). */
export function periodSeconds(every: Every, fromMs: number): number {
  if (every.kind === 'interval') return every.seconds;
  const first = nextDue(every, fromMs, fromMs);
  return (nextDue(every, fromMs, first) - first) / 1000;
}
