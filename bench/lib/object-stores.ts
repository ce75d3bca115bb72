// The object-store measurement: a failover of one image from fauxqs (S3) and from Azurite at several
// rehydrator counts, beside the ceiling the rehydrators' own block reads get from the same server
// (the same block objects, read into buffers but neither hashed nor written), in interleaved
// rounds, in three placements: the server pinned to one CPU and the readers to the other
// ("pinned"), everything on every CPU
// ("shared"), and pinned behind a link that adds a round trip to every request ("link"). Each run
// records the CPU seconds of the server and of the reader(s) and how busy the machine was.
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { blockKey, Manifest } from '@jss/replica';
import { Installation, StoreServer } from '@jss/testing';
import { avg, round } from './context';
import { CpuLayout, pin } from './cpu-pinning';
import { LinkProxy, startLinkProxy } from './link-proxy';
import { busyShare, GiB, machineCpu, mbps, median, peakRssMiB, processCpuSeconds, secondsSince } from './measure';
import { deleteRecovered, InternalTrace, timedFailover, useRehydrators } from './services';
import { IN_FLIGHT } from './store-ceiling';
export const STORE_SERVERS = { s3: 'fauxqs 1.9.2', azure: 'Azurite 3.35.0' } as const;
export type StoreKind = keyof typeof STORE_SERVERS;
/** pinned: server and readers on CPUs of their own; shared: not pinned; link: pinned, through the link proxy */
export type Placement = 'pinned' | 'shared' | 'link';

/** One reader of a store: the ceiling client (0) or a failover with n rehydrators, in a placement. */
export interface ReaderSpec {
  rehydrators: number;
  placement: Placement;
}

export interface StoreBenchOptions {
  layout: CpuLayout;
  /** the link's added delay per request */
  linkDelayMs: number;
  /** reads in flight through the link: the ceiling's GETs and each rehydrator's REHYDRATOR_CONCURRENCY */
  linkReads: number;
}

/** One timed read of the point's blocks: by the ceiling client or by a failover. */
export interface StoreRun {
  seconds: number;
  serverCpuSeconds: number;
  /** the ceiling client process's or the rehydrators' together */
  readerCpuSeconds: number;
  /** share of the machine's two cores busy during the run (other sessions included; for the ceiling, its process's start-up too) */
  machineBusy: number;
  peakRssMiB: number[];
  /** failovers: each range job's seconds (rehydrator's start to its reply), in order of start */
  rangeSeconds?: number[];
  /** failovers: seconds of the rehydration phase in which no range job was running (hand-offs between jobs) */
  betweenRangesSeconds?: number;
}

/** Every run of one reader of one store, and their medians. */
export interface StoreReader extends ReaderSpec {
  store: StoreKind;
  /** reads in flight: the ceiling's GETs, or each rehydrator's REHYDRATOR_CONCURRENCY */
  reads: number;
  runs: StoreRun[];
  /** medians of the runs */
  seconds: number;
  readerCpuSeconds: number;
  /** mean of the runs' */
  machineBusy: number;
  /** MB/s of the bytes read from the store (the distinct non-zero blocks), median of the runs */
  storeMbps: number;
  /** each round's ceiling time over this reader's time in that round, and their median */
  ratiosToCeiling: number[];
  ratioToCeiling: number;
  /** CPU seconds per GiB read from the store, medians (the server's with the link proxy's, through the link) */
  serverCpuPerGiB: number;
  readerCpuPerGiB: number;
  /** the server's peak RSS over all its runs */
  serverPeakRssMiB: number;
}

/**
 * The readers of one store in `reps` rounds, each round in an order rotated by one (what ran just
 * before changes the server's and the page cache's state). Ratios are taken to the ceiling of the
 * same placement in the same round.
 */
export async function benchStore(
  store: StoreKind,
  image: string,
  specs: ReaderSpec[],
  reps: number,
  opts: StoreBenchOptions,
  log: (msg: string) => void,
): Promise<StoreReader[]> {
  const inst = await Installation.start({ planner: 1, provisioner: 1, janitor: 1 }, { LOG_LEVEL: 'warn' }, { store });
  let proxy: LinkProxy | undefined;
  try {
    log(`${store}: writing the point through jssctl's writer`);
    const t = process.hrtime.bigint();
    const point: Manifest = await inst.writer.writePoint('bench', [{ name: 'vm1', source: { file: image } }]);
    log(`${store}: point written in ${secondsSince(t).toFixed(1)} s`);
    const keys = [...new Set(point.vms[0].disks[0].blocks.filter((b): b is string => b !== null))].map((h) => blockKey('bench', h));
    const keysFile = path.join(inst.dataDir, 'ceiling-keys.json');
    writeFileSync(keysFile, JSON.stringify(keys));
    const storeServer = inst.storeServer as StoreServer;
    const server = storeServer.pid!;
    if (specs.some((r) => r.placement === 'link')) {
      proxy = await startLinkProxy(storeServer.port, opts.linkDelayMs);
      if (opts.layout.pinned) pin(proxy.pid, opts.layout.server);
    }
    const linkEnv = proxy ? throughPort(inst.env, storeServer.port, proxy.port) : {};
    const serverSide = (placement: Placement) => processCpuSeconds(server) + (placement === 'link' ? processCpuSeconds(proxy!.pid) : 0);
    // One discarded read first: fauxqs's first read after the write was at times twice as slow as
    // the next, which made round one's ceiling slow and so flattered every ratio of that round.
    await ceiling(inst.env, keysFile, IN_FLIGHT, undefined);
    log(`${store}: warm-up read done`);
    const trace = await InternalTrace.attach(inst);
    const all: ReaderSpec[] = [...new Set(specs.map((r) => r.placement))].flatMap((placement) => [
      { rehydrators: 0, placement },
      ...specs.filter((r) => r.placement === placement && r.rehydrators > 0),
    ]);
    const runs = new Map<ReaderSpec, StoreRun[]>(all.map((r) => [r, []]));
    let storedBytes = 0;
    for (let rep = 0; rep < reps; rep++) {
      for (const spec of [...all.slice(rep % all.length), ...all.slice(0, rep % all.length)]) {
        const { rehydrators: n, placement } = spec;
        const readerCpus = opts.layout.pinned && placement !== 'shared' ? opts.layout.readers : undefined;
        if (opts.layout.pinned) pin(server, readerCpus ? opts.layout.server : opts.layout.all);
        const env = placement === 'link' ? linkEnv : {};
        if (n > 0) {
          await useRehydrators(inst, n, placement === 'link' ? { ...env, REHYDRATOR_CONCURRENCY: String(opts.linkReads) } : env);
          if (readerCpus) for (const s of inst.services.filter((x) => x.name.startsWith('rehydrator'))) pin(s.child.pid!, readerCpus);
        }
        const server0 = serverSide(placement);
        const machine0 = machineCpu();
        const after = () => ({ serverCpuSeconds: serverSide(placement) - server0, machineBusy: busyShare(machine0, machineCpu()) });
        let run: StoreRun;
        if (n === 0) {
          const c = await ceiling({ ...inst.env, ...env }, keysFile, placement === 'link' ? opts.linkReads : IN_FLIGHT, readerCpus);
          storedBytes = c.bytes;
          run = { seconds: c.seconds, readerCpuSeconds: c.cpuSeconds, peakRssMiB: [], ...after() };
        } else {
          const f = await timedFailover(inst, trace, { domain: 'bench' }, 3_600_000);
          const resources = after(); // before the recovered VM is deleted
          await deleteRecovered(inst, ['vm1']);
          const readerCpuSeconds = f.rehydrators.reduce((sum, r) => sum + r.cpuSeconds, 0);
          const ranges = trace.ranges(f.taskId);
          run = {
            seconds: f.rehydrationSeconds,
            readerCpuSeconds,
            peakRssMiB: f.rehydrators.map((r) => r.peakRssMiB),
            ...resources,
            rangeSeconds: ranges.map((r) => round(r.end - r.start, 3)),
            betweenRangesSeconds: round(f.rehydrationSeconds - covered(ranges), 3),
          };
        }
        runs.get(spec)!.push(run);
        log(
          `${store}, round ${rep + 1}, ${placement}: ${n === 0 ? 'ceiling' : `${n} rehydrator(s)`} ${run.seconds.toFixed(2)} s, ${describe(run)}`,
        );
      }
    }
    const serverRss = peakRssMiB(server);
    return all.map((spec) => {
      const ceilingRuns = runs.get(all.find((r) => r.placement === spec.placement && r.rehydrators === 0)!)!;
      const reads =
        spec.placement === 'link' ? opts.linkReads : spec.rehydrators === 0 ? IN_FLIGHT : Number(inst.env.REHYDRATOR_CONCURRENCY ?? 16);
      return { ...summarise(store, spec, reads, runs.get(spec)!, ceilingRuns, storedBytes), serverPeakRssMiB: round(serverRss, 0) };
    });
  } finally {
    await proxy?.close();
    await inst.stop();
  }
}

/** Seconds covered by at least one of the intervals (sorted by start). */
function covered(intervals: Array<{ start: number; end: number }>): number {
  let total = 0;
  let until = -Infinity;
  for (const { start, end } of intervals) {
    if (end > until) total += end - Math.max(start, until);
    until = Math.max(until, end);
  }
  return total;
}

/** The store variables of `env` pointed at another port of 127.0.0.1 (the link proxy's). */
function throughPort(env: NodeJS.ProcessEnv, from: number, to: number): NodeJS.ProcessEnv {
  const names = ['AWS_ENDPOINT_URL_S3', 'AZURE_STORAGE_CONNECTION_STRING'].filter((k) => env[k]);
  return Object.fromEntries(names.map((k) => [k, env[k]!.replace(`127.0.0.1:${from}`, `127.0.0.1:${to}`)]));
}

/** The ceiling client, in a fresh process with the store variables of `env`, on `cpus` (taskset) if given. */
async function ceiling(
  env: NodeJS.ProcessEnv,
  keysFile: string,
  inFlight: number,
  cpus: string | undefined,
): Promise<{ seconds: number; bytes: number; cpuSeconds: number }> {
  const command = [process.execPath, path.join(__dirname, 'store-ceiling.js'), keysFile, String(inFlight)];
  const [file, ...args] = cpus ? ['taskset', '-c', cpus, ...command] : command;
  const { stdout } = await promisify(execFile)(file, args, { env });
  return JSON.parse(stdout) as { seconds: number; bytes: number; cpuSeconds: number };
}

function describe(run: StoreRun): string {
  const ranges = run.rangeSeconds
    ? `; ranges ${run.rangeSeconds.map((x) => x.toFixed(2)).join(' ')} s, ${run.betweenRangesSeconds!.toFixed(2)} s between them`
    : '';
  return `server ${run.serverCpuSeconds.toFixed(1)} CPU s, reader(s) ${run.readerCpuSeconds.toFixed(1)} CPU s, machine ${Math.round(run.machineBusy * 100)}% busy${ranges}`;
}

function summarise(
  store: StoreKind,
  spec: ReaderSpec,
  reads: number,
  runs: StoreRun[],
  ceilingRuns: StoreRun[],
  storedBytes: number,
): Omit<StoreReader, 'serverPeakRssMiB'> {
  const seconds = median(runs.map((r) => r.seconds));
  const ratios = runs.map((r, i) => round(ceilingRuns[i].seconds / r.seconds, 2));
  const perGiB = (cpu: (r: StoreRun) => number) => round(median(runs.map(cpu)) / (storedBytes / GiB), 2);
  return {
    store,
    ...spec,
    reads,
    runs: runs.map((r) => ({
      ...r,
      seconds: round(r.seconds, 3),
      serverCpuSeconds: round(r.serverCpuSeconds, 2),
      readerCpuSeconds: round(r.readerCpuSeconds, 2),
      machineBusy: round(r.machineBusy, 2),
    })),
    seconds: round(seconds, 3),
    readerCpuSeconds: round(median(runs.map((r) => r.readerCpuSeconds)), 2),
    machineBusy: round(avg(runs.map((r) => r.machineBusy)), 2),
    storeMbps: round(mbps(storedBytes, seconds), 1),
    ratiosToCeiling: ratios,
    ratioToCeiling: median(ratios),
    serverCpuPerGiB: perGiB((r) => r.serverCpuSeconds),
    readerCpuPerGiB: perGiB((r) => r.readerCpuSeconds),
  };
}
