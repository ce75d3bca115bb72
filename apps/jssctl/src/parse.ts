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
