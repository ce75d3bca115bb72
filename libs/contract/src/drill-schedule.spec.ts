import { MIN_DRILL_INTERVAL_SECONDS, nextDue, parseEvery, periodSeconds } from './drill-schedule';

const at = (iso: string) => Date.parse(iso);

describe('drill schedules', () => {
  it('reads intervals and cron expressions, and says why it refuses anything else', () => {
    expect(parseEvery('20s')).toEqual({ kind: 'interval', seconds: 20 });
    expect(parseEvery('6h')).toEqual({ kind: 'interval', seconds: 6 * 3600 });
    expect(parseEvery('* * * * *')).toEqual({ kind: 'cron', expression: '* * * * *' });
    expect(parseEvery('@daily')).toEqual({ kind: 'cron', expression: '@daily' });
    expect(parseEvery('1s')).toMatch(`an interval of ${MIN_DRILL_INTERVAL_SECONDS}s to 366d`);
    expect(parseEvery('* * * * * *')).toMatch(/due more often than every/);
    expect(parseEvery('61 * * * *')).toMatch(/^an interval \(20s.*"61 \* \* \* \*": .*61/);
  });

  it('counts an interval from when it was scheduled, whoever computes it', () => {
    const anchor = at('2026-12-01T10:00:05Z');
    const every = { kind: 'interval' as const, seconds: 20 };
    expect(nextDue(every, anchor, anchor)).toBe(anchor + 20_000);
    expect(nextDue(every, anchor, anchor + 20_000)).toBe(anchor + 40_000);
    // a planner down for a while: the next due time after now, not the missed ones
    expect(nextDue(every, anchor, anchor + 95_000)).toBe(anchor + 100_000);
  });

  it('takes a cron expression in UTC, strictly after the time given', () => {
    const every = { kind: 'cron' as const, expression: '* * * * *' };
    expect(new Date(nextDue(every, 0, at('2026-12-01T10:00:30Z'))).toISOString()).toBe('2026-12-01T10:01:00.000Z');
    expect(new Date(nextDue(every, 0, at('2026-12-01T10:01:00Z'))).toISOString()).toBe('2026-12-01T10:02:00.000Z');
    expect(periodSeconds({ kind: 'cron', expression: '0 3 * * *' }, at('2026-12-01T10:00:00Z'))).toBe(86_400);
  });
});
