import { REPROTECT_EVERY_MIN_SECONDS } from '@jss/contract';

/** Without an RPO objective, re-protection takes a point every 5 minutes. */
export const DEFAULT_PROTECTION_EVERY_SECONDS = 300;

/**
 * How often to take points when the command does not say: three times per RPO objective (a point
 * late by one interval still meets it), within 5 s and 15 minutes; 5 minutes without an objective.
 */
export function defaultEverySeconds(rpoSeconds: number | null): number {
  if (rpoSeconds === null) return DEFAULT_PROTECTION_EVERY_SECONDS;
  return Math.min(900, Math.max(REPROTECT_EVERY_MIN_SECONDS, Math.floor(rpoSeconds / 3)));
}
