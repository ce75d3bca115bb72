import { Manifest, parseSize } from '@jss/replica';
import { Installation } from '@jss/testing';
import { GiB, median, mbps, MiB, settle, warm } from './measure';
import { PipelineInput } from './pipeline';
import { InternalTrace } from './services';

export interface Row {
  id: string;
  name: string;
  /** what the time covers */
  what: string;
  /** logical disk bytes the row recovers or copies */
  bytes: number;
  /** median of the runs */
  seconds: number;
  runs: number[];
  mbps: number;
  ratioToDd: number;
  /** a rehydration row: the raw-disk row's time over this row's (same non-zero bytes) */
  ratioToRaw?: number;
  /** CPU seconds per GiB of logical bytes, of the process(es) doing the work */
  cpuSecondsPerGiB?: number;
  /** peak RSS (VmHWM) of each rehydrator process, MiB */
  peakRssMiB?: number[];
  /** share of the whole machine's CPU that was busy during the row (other sessions included) */
  machineBusy?: number;
  notes?: string;
}

export type RowInput = Omit<Row, 'seconds' | 'mbps' | 'ratioToDd' | 'ratioToRaw'> & {
  /** compare with the raw-disk row (a restore of the bench image) */
  rehydration?: boolean;
};

const env = process.env;
export const config = {
  size: parseSize(env.BENCH_SIZE ?? '2GiB'),
  reps: Number(env.BENCH_REPS ?? 3),
  serviceReps: Number(env.BENCH_SERVICE_REPS ?? 2),
  fleetVms: (env.BENCH_VMS ?? '1000,5000,10000').split(',').filter(Boolean).map(Number),
  cutoverVms: (env.BENCH_CUTOVER_VMS ?? '100,1000').split(',').filter(Boolean).map(Number),
  fleetVmSize: parseSize(env.BENCH_VM_SIZE ?? '1MiB'),
  latencyMs: Number(env.BENCH_LATENCY_MS ?? 20),
  storeMbps: Number(env.BENCH_STORE_MBPS ?? 150),
  deltaPercent: Number(env.BENCH_DELTA_PERCENT ?? 1),
  rss8g: env.BENCH_RSS_8G === '1',
  prefill: env.BENCH_PREFILL === '1',
  skip: new Set((env.BENCH_SKIP ?? '').split(',').filter(Boolean)),
  only: new Set((env.BENCH_ONLY ?? '').split(',').filter(Boolean)),
  seed: Number(env.BENCH_SEED ?? 1),
};
export type BenchConfig = typeof config;

/** What every scenario gets: the installation, the bench image and its point, and where results go. */
export interface BenchContext {
  inst: Installation;
  config: BenchConfig;
  trace: InternalTrace;
  /** scratch folder of the run */
  work: string;
  /** the generated image, its sha256, its recovery point (domain "bench", VM "vm1") */
  image: string;
  imageHash: string;
  point: Manifest;
  /** bytes of its non-zero blocks: what a restore writes */
  dataBytes: number;
  /** the object store's folder (read through before each timed run) */
  objects: string;
  input: PipelineInput;
  addRow(row: RowInput): Row;
  rows: Row[];
  /** anything else for the JSON (calibration, timelines, ...) */
  extra: Record<string, unknown>;
  log(msg: string): void;
}

/** A part of the bench: rows of its own, added through ctx.addRow. bench/run.ts lists them. */
export interface Scenario {
  /** for BENCH_SKIP / BENCH_ONLY */
  name: string;
  run(ctx: BenchContext): Promise<void>;
}

/** Before each timed run: its input in the page cache, then the same memory state for every run (see settle). */
export async function ready(input: string): Promise<void> {
  warm(input);
  await settle();
}

export const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits;
export const avg = (xs: number[]) => (xs.length ? xs.reduce((s, x) => s + x, 0) / xs.length : NaN);
export const fmtBytes = (n: number) =>
  n >= GiB && n % GiB === 0 ? `${n / GiB} GiB` : n >= MiB && n % MiB === 0 ? `${n / MiB} MiB` : `${n} bytes`;

/** Fills in a row's median, rate and ratios: to dd (row 1), and for rehydration rows to the raw-disk row (R). */
export function completeRow(r: RowInput, rows: Row[], size: number): Row {
  const seconds = median(r.runs);
  const of = (id: string) => rows.find((x) => x.id === id)?.seconds;
  const dd = r.id === '1' ? seconds : of('1');
  const raw = r.id === 'R' ? seconds : of('R');
  const { rehydration, ...rest } = r;
  return {
    ...rest,
    seconds: round(seconds, 3),
    mbps: round(mbps(r.bytes, seconds), 0),
    ratioToDd: dd === undefined ? NaN : round(mbps(r.bytes, seconds) / mbps(size, dd), 2),
    ...(rehydration && raw !== undefined ? { ratioToRaw: round(raw / seconds, 2) } : {}),
  };
}
