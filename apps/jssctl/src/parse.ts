import { CliError } from './cli-error';

// Option parsers for commander: each refuses what it cannot read with the option's name and what was given.

export const wholeNumber =
  (option: string, min = 0) =>
  (v: string): number => {
    const n = Number(v);
    if (v.trim() === '' || !Number.isSafeInteger(n) || n < min)
      throw new CliError(`${option} must be a whole number of at least ${min}, got "${v}"`);
    return n;
  };

export const positiveSeconds =
  (option: string) =>
  (v: string): number => {
    const n = Number(v);
    if (v.trim() === '' || !Number.isFinite(n) || n <= 0) throw new CliError(`${option} must be a number of seconds above 0, got "${v}"`);
    return n;
  };

const UNIT_SECONDS: Record<string, number> = { '': 1, s: 1, m: 60, h: 3600, d: 86_400 };

/** Seconds from `90`, `90s`, `15m`, `2h` or `1d`. */
export const duration =
  (option: string) =>
  (v: string): number => {
    const m = /^(\d+)(s|m|h|d)?$/.exec(v.trim());
    if (!m || Number(m[1]) === 0) throw new CliError(`${option} must be a duration such as 90s, 15m, 2h or 1d, got "${v}"`);
    return Number(m[1]) * UNIT_SECONDS[m[2] ?? ''];
  };
