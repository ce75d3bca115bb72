import { randomBytes } from 'node:crypto';

/** rp-<UTC time to the millisecond>-<4 random hex>: ids sort like the times of their points. */
export const POINT_ID_PATTERN = /^rp-(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(\d{3})Z-[0-9a-f]{4}$/;

export function newPointId(time: Date): string {
  const compact = time.toISOString().replace(/[-:.]/g, '');
  return `rp-${compact}-${randomBytes(2).toString('hex')}`;
}

/** The time encoded in a point id, or null when `id` is not a point id. */
export function pointIdTime(id: string): Date | null {
  const m = POINT_ID_PATTERN.exec(id);
  if (!m) return null;
  const time = new Date(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}.${m[7]}Z`);
  return Number.isNaN(time.getTime()) ? null : time;
}
