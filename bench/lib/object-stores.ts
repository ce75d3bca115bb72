// The object-store measurement: a failover of one image from fauxqs (S3) and from Azurite at several
// rehydrator counts, beside the ceiling a plain client of the same SDK gets from the same server
// (IN_FLIGHT GETs over the same block objects, bytes thrown away), in interleaved rounds. Each run
// records the CPU seconds of the server and of the reader(s) and how busy the machine was: on two
// cores an emulator written in Node and rehydrators that hash every block share the CPU, which the
// ceiling client, neither hashing nor writing, leaves to the server.
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { blockKey, Manifest } from '@jss/replica';
import { Installation, StoreServer } from '@jss/testing';
import { avg, round } from './context';
import { busyShare, GiB, machineCpu, mbps, median, peakRssMiB, processCpuSeconds, secondsSince } from './measure';
import { deleteRecovered, InternalTrace, timedFailover, useRehydrators } from './services';
export const STORE_SERVERS = { s3: 'fauxqs 1.9.2', azure: 'Azurite 3.35.0' } as const;
export type StoreKind = keyof typeof STORE_SERVERS;

/** One timed read of the point's blocks: by the ceiling client or by a failover. */
export interface StoreRun {
  seconds: number;
  serverCpuSeconds: number;
  /** the ceiling client process's or the rehydrators' together */
  readerCpuSeconds: number;
  /** share of the machine's two cores busy during the run (other sessions included; for the ceiling, its process's start-up too) */
  machineBusy: number;
  peakRssMiB: number[];
}

/** Every run of one reader of one store, and their medians. */
export interface StoreReader {
  store: StoreKind;
  /** 0: the ceiling client; n: a failover with n rehydrators */
  rehydrators: number;
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
  /** CPU seconds per GiB read from the store, medians */
  serverCpuPerGiB: number;
  readerCpuPerGiB: number;
  /** the server's peak RSS over all its runs */
  serverPeakRssMiB: number;
}

/**
 * The readers of one store in `reps` rounds, each round in an order rotated by one (what ran just
 * before changes the server's and the page cache's state): the ceiling, then each rehydrator count.
 */
export async function benchStore(
  store: StoreKind,
  image: string,
  rehydrators: number[],
  reps: number,
  log: (msg: string) => void,
): Promise<StoreReader[]> {
  const inst = await Installation.start({ planner: 1, provisioner: 1, janitor: 1 }, { LOG_LEVEL: 'warn' }, { store });
  try {
    log(`${store}: writing the point through jssctl's writer`);
    const t = process.hrtime.bigint();
    const point: Manifest = await inst.writer.writePoint('bench', [{ name: 'vm1', source: { file: image } }]);
    log(`${store}: point written in ${secondsSince(t).toFixed(1)} s`);
    const keys = [...new Set(point.vms[0].disks[0].blocks.filter((b): b is string => b !== null))].map((h) => blockKey('bench', h));
    const keysFile = path.join(inst.dataDir, 'ceiling-keys.json');
    writeFileSync(keysFile, JSON.stringify(keys));
    const server = (inst.storeServer as StoreServer).pid!;
    const after = (server0: number, machine0: ReturnType<typeof machineCpu>) => ({
      serverCpuSeconds: processCpuSeconds(server) - server0,
      machineBusy: busyShare(machine0, machineCpu()),
    });
    // One discarded read first: fauxqs's first read after the write was at times twice as slow as
    // the next, which made round one's ceiling slow and so flattered every ratio of that round.
    await ceiling(inst.env, keysFile);
    log(`${store}: warm-up read done`);
    const trace = await InternalTrace.attach(inst);
    const readers = [0, ...rehydrators];
    const runs = new Map<number, StoreRun[]>(readers.map((n) => [n, []]));
    let storedBytes = 0;
    for (let rep = 0; rep < reps; rep++) {
      for (const n of [...readers.slice(rep % readers.length), ...readers.slice(0, rep % readers.length)]) {
        if (n > 0) await useRehydrators(inst, n);
        const server0 = processCpuSeconds(server);
        const machine0 = machineCpu();
        let run: StoreRun;
        if (n === 0) {
          const c = await ceiling(inst.env, keysFile);
          storedBytes = c.bytes;
          run = { seconds: c.seconds, readerCpuSeconds: c.cpuSeconds, peakRssMiB: [], ...after(server0, machine0) };
        } else {
          const f = await timedFailover(inst, trace, { domain: 'bench' }, 3_600_000);
          const resources = after(server0, machine0); // before the recovered VM is deleted
          await deleteRecovered(inst, ['vm1']);
          const readerCpuSeconds = f.rehydrators.reduce((sum, r) => sum + r.cpuSeconds, 0);
          run = { seconds: f.rehydrationSeconds, readerCpuSeconds, peakRssMiB: f.rehydrators.map((r) => r.peakRssMiB), ...resources };
        }
        runs.get(n)!.push(run);
        log(`${store}, round ${rep + 1}: ${n === 0 ? 'ceiling' : `${n} rehydrator(s)`} ${run.seconds.toFixed(2)} s, ${describe(run)}`);
      }
    }
    const serverRss = peakRssMiB(server);
    return readers.map((n) => ({ ...summarise(store, n, runs.get(n)!, runs.get(0)!, storedBytes), serverPeakRssMiB: round(serverRss, 0) }));
  } finally {
    await inst.stop();
  }
}

/** The ceiling client, in a fresh process with the installation's store variables. */
async function ceiling(env: NodeJS.ProcessEnv, keysFile: string): Promise<{ seconds: number; bytes: number; cpuSeconds: number }> {
  const { stdout } = await promisify(execFile)(process.execPath, [path.join(__dirname, 'store-ceiling.js'), keysFile], { env });
  return JSON.parse(stdout) as { seconds: number; bytes: number; cpuSeconds: number };
}

function describe(run: StoreRun): string {
  return `server ${run.serverCpuSeconds.toFixed(1)} CPU s, reader(s) ${run.readerCpuSeconds.toFixed(1)} CPU s, machine ${Math.round(run.machineBusy * 100)}% busy`;
}

function summarise(
  store: StoreKind,
  rehydrators: number,
  runs: StoreRun[],
  ceilingRuns: StoreRun[],
  storedBytes: number,
): Omit<StoreReader, 'serverPeakRssMiB'> {
  const seconds = median(runs.map((r) => r.seconds));
  const ratios = runs.map((r, i) => round(ceilingRuns[i].seconds / r.seconds, 2));
  const perGiB = (cpu: (r: StoreRun) => number) => round(median(runs.map(cpu)) / (storedBytes / GiB), 2);
  return {
    store,
    rehydrators,
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
