import type { RtoForecast } from '@jss/contract';

/** What one completed recovery measured (a failover, or a test failover: drills are test failovers). */
export interface RecoverySample {
  taskId: string;
  operation: string;
  /** when it completed (ISO) */
  at: string;
  vms: number;
  /** non-zero bytes read from the object store and written */
  bytes: number;
  /** first range sent to last range done */
  rehydrationSeconds: number;
  /** command to the last VM powered on */
  rtoSeconds: number;
  /** the plan's waits and delays it ran (not part of what it measured) */
  waitSeconds: number;
}

/** Before any recovery has been measured (and for what no sample says): stated in docs/protection.md. */
export const FORECAST_DEFAULTS = { rateBytesPerSecond: 200e6, fixedSeconds: 3, perVmSeconds: 0.01 } as const;
/**
 * The rate comes from recoveries of big disks only: with fewer bytes per VM, a disk's set-up and
 * fsync dominate its time, which the per-VM time accounts for instead.
 */
const RATE_SAMPLE_MIN_BYTES_PER_VM = 64 << 20;

export interface ForecastInput {
  /** non-zero bytes of the VMs to recover at the point (or the delta's changed blocks) */
  bytes: number;
  vms: number;
  waitSeconds: number;
}

/**
 * A recovery's RTO from this installation's recent recoveries: fixed + perVm × VMs + bytes ÷ rate +
 * waits. The rate is the median rate of the samples of big disks; fixed and per-VM times are fitted
 * to what the samples spent besides moving bytes and waiting — through the median of each VM count
 * once they cover two (before that the per-VM default stands). Medians, so that one slow run (a cold
 * cache, a busy neighbour) does not carry the forecast. Defaults fill whatever no sample says.
 */
export function forecastRto(input: ForecastInput, samples: readonly RecoverySample[]): NonNullable<RtoForecast> {
  const rates = samples
    .filter((s) => s.bytes >= RATE_SAMPLE_MIN_BYTES_PER_VM * s.vms && s.rehydrationSeconds > 0)
    .map((s) => s.bytes / s.rehydrationSeconds);
  const rate = rates.length ? median(rates) : FORECAST_DEFAULTS.rateBytesPerSecond;
  const rest = samples.map((s) => ({ x: s.vms, y: Math.max(0, s.rtoSeconds - s.waitSeconds - s.bytes / rate) }));
  const { fixed, perVm } = fitOverhead(rest);
  const seconds = fixed + perVm * input.vms + input.bytes / rate + input.waitSeconds;
  return {
    seconds: round(seconds),
    basis: samples.length ? 'measured' : 'default',
    samples: samples.length,
    bytes: input.bytes,
    rateBytesPerSecond: Math.round(rate),
    vms: input.vms,
    fixedSeconds: round(fixed),
    perVmSeconds: round(perVm, 4),
    waitSeconds: input.waitSeconds,
  };
}

/** overhead = fixed + perVm × vms, through the median overhead of each VM count (least squares over them); one count: the per-VM default. */
function fitOverhead(points: Array<{ x: number; y: number }>): { fixed: number; perVm: number } {
  if (!points.length) return { fixed: FORECAST_DEFAULTS.fixedSeconds, perVm: FORECAST_DEFAULTS.perVmSeconds };
  const byCount = new Map<number, number[]>();
  for (const p of points) byCount.set(p.x, [...(byCount.get(p.x) ?? []), p.y]);
  const groups = [...byCount].map(([x, ys]) => ({ x, y: median(ys) }));
  const mx = groups.reduce((s, p) => s + p.x, 0) / groups.length;
  const my = groups.reduce((s, p) => s + p.y, 0) / groups.length;
  const sxx = groups.reduce((s, p) => s + (p.x - mx) ** 2, 0);
  if (sxx > 0) {
    const perVm = groups.reduce((s, p) => s + (p.x - mx) * (p.y - my), 0) / sxx;
    const fixed = my - perVm * mx;
    if (perVm >= 0 && fixed >= 0) return { fixed, perVm };
  }
  const perVm = FORECAST_DEFAULTS.perVmSeconds;
  return { fixed: Math.max(0, median(points.map((p) => p.y - perVm * p.x))), perVm };
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

const round = (x: number, digits = 1) => Math.round(x * 10 ** digits) / 10 ** digits;
