// npm run bench: rehydration throughput against `dd` and restic, at pipeline and at service level,
// in one run on one generated image. Prints a table and writes bench/results/latest.json.
// What each row measures: bench/README.md. Settings: BENCH_* environment variables (see there).
import { copyFileSync, existsSync, mkdirSync, openSync, fsyncSync, closeSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { FileDiskHandle } from '@jss/platform';
import { imageSha256, parseSize, rehydrateRange, sharedHashPool, writeGeneratedImage } from '@jss/replica';
import { Installation, sha256File } from '@jss/testing';
import {
  busyShare,
  freeBytes,
  GiB,
  prefill,
  loadAverage,
  machineCpu,
  machineInfo,
  mbps,
  median,
  MiB,
  secondsSince,
  settle,
  timeCommand,
  warm,
} from './lib/measure';
import { ABLATION, NEW, PREVIOUS, PipelineInput, runVariant, stageCosts, Variant } from './lib/pipeline';
import { Restic } from './lib/restic';
import { deleteRecovered, FailoverRun, InternalTrace, timedFailover, useRehydrators } from './lib/services';

interface Row {
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
  /** CPU seconds per GiB of logical bytes, of the process(es) doing the work */
  cpuSecondsPerGiB?: number;
  /** peak RSS (VmHWM) of each rehydrator process, MiB */
  peakRssMiB?: number[];
  /** share of the whole machine's CPU that was busy during the row (other sessions included) */
  machineBusy?: number;
  notes?: string;
}

const env = process.env;
const config = {
  size: parseSize(env.BENCH_SIZE ?? '2GiB'),
  reps: Number(env.BENCH_REPS ?? 3),
  serviceReps: Number(env.BENCH_SERVICE_REPS ?? 2),
  fleetVms: Number(env.BENCH_VMS ?? 1000),
  fleetVmSize: parseSize(env.BENCH_VM_SIZE ?? '1MiB'),
  latencyMs: Number(env.BENCH_LATENCY_MS ?? 20),
  storeMbps: Number(env.BENCH_STORE_MBPS ?? 150),
  deltaPercent: Number(env.BENCH_DELTA_PERCENT ?? 1),
  rss8g: env.BENCH_RSS_8G === '1',
  ablation: env.BENCH_ABLATION === '1',
  prefill: env.BENCH_PREFILL === '1',
  skip: new Set((env.BENCH_SKIP ?? '').split(',').filter(Boolean)),
  seed: Number(env.BENCH_SEED ?? 1),
};

const started = Date.now();
const log = (msg: string) => process.stderr.write(`[bench ${((Date.now() - started) / 1000).toFixed(0).padStart(4)}s] ${msg}\n`);

function repositoryRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`no package.json above ${from}`);
  }
}

async function main() {
  const root = repositoryRoot(__dirname);
  const rows: Row[] = [];
  const extra: Record<string, unknown> = {};
  let ddSeconds = NaN;
  const addRow = (r: Omit<Row, 'seconds' | 'mbps' | 'ratioToDd'>): Row => {
    const seconds = median(r.runs);
    const row: Row = {
      ...r,
      seconds: round(seconds, 3),
      mbps: round(mbps(r.bytes, seconds), 0),
      ratioToDd: round(mbps(r.bytes, seconds) / mbps(config.size, ddSeconds), 2),
    };
    rows.push(row);
    log(`${row.id} ${row.name}: ${row.seconds} s, ${row.mbps} MB/s, ${row.ratioToDd} x dd`);
    return row;
  };

  log('starting an installation (own vhost, Redis prefix, data folder): planner, provisioner, janitor');
  const inst = await Installation.start({ planner: 1, provisioner: 1, janitor: 1 });
  const onSignal = () => void inst.stop().finally(() => process.exit(130));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const loadAtStart = loadAverage();
  try {
    const machine = machineInfo(inst.dataDir);
    const need = 5 * config.size + (config.rss8g ? 3 * 8 * GiB : 0) + 2 * GiB;
    const free = freeBytes(inst.dataDir);
    if (free < need)
      throw new Error(`${inst.dataDir} has ${(free / GiB).toFixed(1)} GiB free; the bench needs about ${(need / GiB).toFixed(1)} GiB`);
    const trace = await InternalTrace.attach(inst);
    const work = path.join(inst.dataDir, 'bench');
    mkdirSync(work, { recursive: true });

    // ---- the image, its recovery point, restic's backup of it (none of this is timed)
    const image = path.join(work, 'vm1.img');
    log(`generating a ${fmtBytes(config.size)} image (random, text and zero 1 MiB chunks) and writing its recovery point`);
    await writeGeneratedImage(image, config.size, config.seed, 'vm1');
    const imageHash = await sha256File(image);
    const t = process.hrtime.bigint();
    const point = await inst.writer.writePoint('bench', [{ name: 'vm1', source: { file: image } }]);
    const blocks = point.vms[0].disks[0].blocks;
    const zeroBlocks = blocks.filter((b) => b === null).length;
    extra.image = {
      bytes: config.size,
      blocks: blocks.length,
      zeroBlocks,
      distinctStoredBlocks: new Set(blocks.filter(Boolean)).size,
      writePointSeconds: round(secondsSince(t), 2),
    };
    log(`point written in ${secondsSince(t).toFixed(1)} s: ${blocks.length} blocks, ${zeroBlocks} zero`);
    const objects = path.join(inst.dataDir, 'objects');
    const input: PipelineInput = { store: inst.store, manifest: point, vm: 'vm1' };
    // restic restores into a fresh folder: not comparable with prefilled targets
    const restic = config.skip.has('restic') || config.prefill ? null : Restic.available(path.join(work, 'restic-repo'));
    if (restic) {
      log(`${restic.version}: backing up the image (not timed)`);
      extra.resticBackupSeconds = round(restic.backup(image).seconds, 2);
    } else if (!config.skip.has('restic') && !config.prefill) {
      log('restic is not installed: no restic row (bash scripts/install-bench-tools.sh installs it)');
    }

    // ---- what this machine's page cache, disk and cores cost (explains the rows; not a row)
    log('calibration: page-cache fill (dd without fsync) in the cold and the recycled memory state, writeback, sha256 per core');
    const calibration = await calibrate(image, path.join(work, 'calibration.img'), config.size);
    extra.calibration = calibration;

    // ---- (1) dd, (2) restic, pipeline rows: interleaved repetitions, medians
    const dd: number[] = [];
    const ddCpu: number[] = [];
    const res: number[] = [];
    const resCpu: number[] = [];
    const resSync: number[] = [];
    const pipe: Record<string, { runs: number[]; cpu: number[]; busy: number[] }> = {};
    const busy: Record<string, number[]> = { dd: [], restic: [] };
    const copy = path.join(work, 'copy.img');
    const out = path.join(work, 'out.img');
    const variants: Variant[] = [NEW, PREVIOUS, ...(config.ablation ? ABLATION : [])];
    // every repetition runs each contender once, in an order rotated by one per repetition, so
    // that none always follows the same other one (what ran just before changes the memory state)
    const runDd = async () => {
      rmSync(copy, { force: true });
      if (config.prefill) prefill(copy, config.size);
      await ready(image);
      const m0 = machineCpu();
      const d = timeCommand('dd', [`if=${image}`, `of=${copy}`, 'bs=4M', config.prefill ? 'conv=notrunc,fsync' : 'conv=fsync']);
      busy.dd.push(busyShare(m0, machineCpu()));
      dd.push(d.seconds);
      ddCpu.push(d.cpuSeconds);
      rmSync(copy, { force: true });
    };
    const runPipeline = (v: Variant, verify: boolean) => async () => {
      if (config.prefill) prefill(out, config.size);
      await ready(objects);
      const m0 = machineCpu();
      const r = await runVariant(v, input, out, verify, config.prefill);
      const entry = (pipe[v.name] ??= { runs: [], cpu: [], busy: [] });
      entry.busy.push(busyShare(m0, machineCpu()));
      entry.runs.push(r.seconds);
      entry.cpu.push(r.cpuSeconds);
      if (verify) {
        const got = await sha256File(out);
        if (got !== imageHash) throw new Error(`pipeline output differs from the image (sha256 ${got}, expected ${imageHash})`);
        rmSync(out, { force: true });
      }
    };
    const runRestic = (r: Restic, verify: boolean) => async () => {
      await ready(r.repo);
      const m0 = machineCpu();
      const restored = r.restore(path.join(work, 'restic-out'));
      busy.restic.push(busyShare(m0, machineCpu()));
      res.push(restored.seconds);
      resCpu.push(restored.cpuSeconds);
      const s0 = process.hrtime.bigint();
      const fd = openSync(restored.file, 'r');
      fsyncSync(fd);
      closeSync(fd);
      resSync.push(secondsSince(s0));
      if (verify && (await sha256File(restored.file)) !== imageHash) throw new Error('restic restored a different image');
      rmSync(path.join(work, 'restic-out'), { recursive: true, force: true });
    };
    for (let rep = 0; rep < config.reps; rep++) {
      const contenders: Array<[string, () => Promise<void>]> = [
        ['dd', runDd],
        ...variants.map((v): [string, () => Promise<void>] => [v.name, runPipeline(v, rep === 0 && v === NEW)]),
        ...(restic ? [['restic restore', runRestic(restic, rep === 0)] as [string, () => Promise<void>]] : []),
      ];
      const order = contenders.map((_, i) => contenders[(i + rep) % contenders.length]);
      log(`pipeline-level repetition ${rep + 1} of ${config.reps}: ${order.map(([name]) => name).join(', ')}`);
      for (const [, run] of order) await run();
    }
    ddSeconds = median(dd);
    addRow({
      id: '1',
      name: 'dd bs=4M conv=fsync',
      what: 'dd copying the image file into a new file and fsyncing it (spawnSync, process.hrtime)',
      bytes: config.size,
      runs: dd,
      cpuSecondsPerGiB: round(median(ddCpu) / (config.size / GiB), 2),
      machineBusy: round(avg(busy.dd), 2),
    });
    if (restic) {
      addRow({
        id: '2',
        name: 'restic restore',
        what: `${restic.version}: restore of a backup of the image into a fresh folder, repository on the same file system, --no-cache`,
        bytes: config.size,
        runs: res,
        cpuSecondsPerGiB: round(median(resCpu) / (config.size / GiB), 2),
        machineBusy: round(avg(busy.restic), 2),
        notes: `restic does not fsync; fsyncing the restored file afterwards took another ${median(resSync).toFixed(2)} s`,
      });
    }
    for (const [i, v] of variants.entries()) {
      addRow({
        id: `P${i + 1}`,
        name: `pipeline: ${v.name}`,
        what: `${v.what}; the whole disk in one rehydrateRange call into ${config.prefill ? 'a zero-filled file (BENCH_PREFILL)' : 'a fresh sparse file'}, fsynced`,
        bytes: config.size,
        runs: pipe[v.name].runs,
        cpuSecondsPerGiB: round(median(pipe[v.name].cpu) / (config.size / GiB), 2),
        machineBusy: round(avg(pipe[v.name].busy), 2),
      });
    }
    if (config.ablation) {
      log('stage costs: each stage alone over the same blocks');
      await ready(objects);
      const stages = await stageCosts(input, out);
      extra.stages = Object.fromEntries(
        Object.entries(stages).map(([k, s]) => [
          k,
          {
            seconds: round(s.seconds, 3),
            cpuSeconds: round(s.cpuSeconds, 2),
            mbps: round(mbps(s.bytes, s.seconds), 0),
            cpuSecondsPerGiB: round(s.cpuSeconds / (s.bytes / GiB), 2),
          },
        ]),
      );
    }

    // ---- (3) and (4): failovers through the services
    const timelines: Record<string, FailoverRun> = {};
    extra.timelines = timelines;
    const serviceRow = async (id: string, name: string, procs: number, rehydratorEnv: NodeJS.ProcessEnv, verify: boolean) => {
      const e2e: number[] = [];
      const phase: number[] = [];
      const rss: number[] = [];
      const cpu: number[] = [];
      const b: number[] = [];
      for (let rep = 0; rep < config.serviceReps; rep++) {
        await useRehydrators(inst, procs, rehydratorEnv);
        await ready(objects);
        const m0 = machineCpu();
        const r = await timedFailover(inst, trace, { domain: 'bench', recoveryPoint: point.id }, 600_000);
        b.push(busyShare(m0, machineCpu()));
        timelines[`${id}${config.serviceReps > 1 ? `#${rep + 1}` : ''}`] = r;
        e2e.push(r.e2eSeconds);
        phase.push(r.rehydrationSeconds);
        rss.push(...r.rehydrators.map((x) => x.peakRssMiB));
        cpu.push(r.rehydrators.reduce((s, x) => s + x.cpuSeconds, 0));
        if (verify && rep === 0) {
          const vm = await inst.platform.getVm('recovery', 'vm1');
          const got = await sha256File(inst.platform.diskFile(vm!.disks[0].path));
          if (got !== imageHash) throw new Error(`recovered disk differs from the image (sha256 ${got}, expected ${imageHash})`);
        }
        await deleteRecovered(inst, ['vm1']);
      }
      const common = {
        bytes: config.size,
        peakRssMiB: rss,
        cpuSecondsPerGiB: round(median(cpu) / (config.size / GiB), 2),
        machineBusy: round(avg(b), 2),
      };
      addRow({
        id: `${id}e`,
        name: `${name}: end to end`,
        what: 'publish of the failover command to task.completed (RocVA, RVM, rehydration, recovered VM, cleanup)',
        runs: e2e,
        ...common,
      });
      addRow({
        id: `${id}r`,
        name: `${name}: rehydration`,
        what: "first range job sent to the last range done (each range replied after its fsync), from the messages' times",
        runs: phase,
        ...common,
      });
    };
    if (!config.skip.has('services')) {
      for (const procs of [1, 2]) {
        log(`failover through the services, ${procs} rehydrator process(es)`);
        await serviceRow(`3.${procs}`, `failover, ${procs} rehydrator${procs > 1 ? 's' : ''}`, procs, {}, procs === 1);
      }
    }
    if (!config.skip.has('latency')) {
      for (const procs of [1, 2, 4]) {
        log(`failover with ${config.latencyMs} ms store latency, ${procs} rehydrator process(es)`);
        await serviceRow(
          `4.${procs}`,
          `failover, store latency ${config.latencyMs} ms, ${procs} rehydrator${procs > 1 ? 's' : ''}`,
          procs,
          { JSS_STORE_LATENCY_MS: String(config.latencyMs) },
          false,
        );
      }
      // the store as the bound: each rehydrator's link to it capped, as a remote store's per-client throughput is
      for (const procs of [1, 2, 4]) {
        log(
          `failover with ${config.latencyMs} ms store latency and ${config.storeMbps} MB/s per rehydrator, ${procs} rehydrator process(es)`,
        );
        const storeEnv = { JSS_STORE_LATENCY_MS: String(config.latencyMs), JSS_STORE_MBPS: String(config.storeMbps) };
        await serviceRow(
          `4b.${procs}`,
          `failover, ${config.latencyMs} ms + ${config.storeMbps} MB/s per rehydrator, ${procs} rehydrator${procs > 1 ? 's' : ''}`,
          procs,
          storeEnv,
          false,
        );
      }
    }
    await useRehydrators(inst, 0);

    // ---- (5) delta apply at pipeline level
    if (!config.skip.has('delta')) {
      log(`delta: a snapshot with ${config.deltaPercent}% of the blocks changed, applied onto a copy of the full image`);
      const next = await inst.writer.snapshot('bench', { changePercent: config.deltaPercent, seed: config.seed + 1 });
      const changed = next.vms[0].disks[0].blocks.filter((h, i) => h !== blocks[i]).length;
      const expected = await imageSha256(inst.store, next, 'vm1', 0);
      const runs: number[] = [];
      const cpu: number[] = [];
      let blocksRead = 0;
      for (let rep = 0; rep < config.reps; rep++) {
        const target = path.join(work, 'delta.img');
        rmSync(target, { force: true });
        copyFileSync(image, target);
        await ready(objects);
        const cpu0 = process.cpuUsage();
        const t0 = process.hrtime.bigint();
        const disk = await FileDiskHandle.open(target);
        const r = await rehydrateRange({
          store: inst.store,
          manifest: next,
          previous: point,
          vm: 'vm1',
          diskIndex: 0,
          firstBlock: 0,
          blockCount: blocks.length,
          target: disk,
          concurrency: 16,
        });
        await disk.close();
        runs.push(secondsSince(t0));
        const c = process.cpuUsage(cpu0);
        cpu.push((c.user + c.system) / 1e6);
        blocksRead = r.blocksRead;
        if (rep === 0 && (await sha256File(target)) !== expected) throw new Error('delta result differs from the new point');
        rmSync(target, { force: true });
      }
      addRow({
        id: '5',
        name: `delta apply, ${config.deltaPercent}% changed (pipeline)`,
        what: `rehydrateRange with previous = the full point onto a copy of the full image (${changed} of ${blocks.length} blocks changed), fsynced; pipeline level (continuous failover is not built yet)`,
        bytes: config.size,
        runs,
        cpuSecondsPerGiB: round(median(cpu) / (config.size / GiB), 2),
        notes: `${blocksRead} blocks read; every other block skipped (unchanged or zero in both points)`,
      });
    }

    // ---- (7) a failover of a 1,000-VM domain
    if (!config.skip.has('fleet') && config.fleetVms > 0) {
      const n = config.fleetVms;
      log(`writing a ${n}-VM domain (${fmtBytes(config.fleetVmSize)} each) and a DHCP network big enough for it`);
      const names = Array.from({ length: n }, (_, i) => `vm-${String(i).padStart(4, '0')}`);
      await inst.writer.writePoint(
        'fleet',
        names.map((name, i) => ({ name, source: { sizeBytes: config.fleetVmSize, seed: i } })),
      );
      await inst.sim.addNetwork({ name: 'fleet-net', site: 'recovery', dhcp: true, poolSize: 2 * n + 10 });
      await useRehydrators(inst, 2);
      await ready(objects);
      log(`failover of the ${n}-VM domain, 2 rehydrators`);
      const m0 = machineCpu();
      const r = await timedFailover(inst, trace, { domain: 'fleet', target: { network: 'fleet-net' } }, 1_800_000);
      timelines['7'] = r;
      addRow({
        id: '7',
        name: `failover of ${n} VMs x ${fmtBytes(config.fleetVmSize)}: end to end`,
        what: 'publish to task.completed of one command recovering every VM of the domain; timeline in timelines["7"]',
        bytes: n * config.fleetVmSize,
        runs: [r.e2eSeconds],
        peakRssMiB: r.rehydrators.map((x) => x.peakRssMiB),
        machineBusy: round(busyShare(m0, machineCpu()), 2),
      });
      await useRehydrators(inst, 0);
      log('deleting the recovered fleet');
      await deleteRecovered(inst, names);
    }

    // ---- optional: peak RSS of one worker on an 8 GiB disk
    if (config.rss8g) {
      log('BENCH_RSS_8G: writing an 8 GiB generated disk (takes a while)');
      await inst.writer.writePoint('big', [{ name: 'big', source: { sizeBytes: 8 * GiB, seed: config.seed } }]);
      await useRehydrators(inst, 1);
      await ready(objects);
      log('failover of the 8 GiB disk, 1 rehydrator');
      const r = await timedFailover(inst, trace, { domain: 'big' }, 1_800_000);
      timelines['8'] = r;
      addRow({
        id: '8',
        name: 'failover of one 8 GiB disk, 1 rehydrator: end to end',
        what: 'publish to task.completed; for the peak RSS of one worker on a large disk',
        bytes: 8 * GiB,
        runs: [r.e2eSeconds],
        peakRssMiB: r.rehydrators.map((x) => x.peakRssMiB),
      });
      await useRehydrators(inst, 0);
      await deleteRecovered(inst, ['big']);
    }

    // ---- the floor of a durable restore of this image here (bench/README.md, "What bounds it")
    const bound = pageCacheBound(rows, calibration, config.size - zeroBlocks * point.blockSize);
    extra.bound = bound;

    // ---- report
    const result = {
      generatedAt: new Date().toISOString(),
      durationSeconds: round((Date.now() - started) / 1000, 1),
      machine: { ...machine, loadAverageAtStart: loadAtStart, loadAverageAtEnd: loadAverage() },
      config: { ...config, skip: [...config.skip] },
      rows,
      ...extra,
    };
    const file = path.join(root, env.BENCH_OUT ?? 'bench/results/latest.json');
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(`${file}.tmp`, JSON.stringify(result, null, 2) + '\n');
    renameSync(`${file}.tmp`, file);
    process.stdout.write(table(rows, result.machine, ddSeconds) + '\n');
    process.stdout.write(
      `\ncalibration: ${Object.entries(calibration)
        .map(([k, v]) => `${k} ${String(v)}`)
        .join(', ')}\n`,
    );
    process.stdout.write(
      `bound: ${(bound.dataBytes / GiB).toFixed(2)} GiB of non-zero blocks x ${calibration.pageCacheFillColdSecondsPerGiB} s/GiB (cold page-cache fill) = ${bound.seconds} s;` +
        ` P1 takes ${bound.pipelineOverBound ?? '?'} x that; a restore at the bound would be ${bound.bestRatioToRestic ?? '?'} x restic\n`,
    );
    for (const [id, r] of Object.entries(timelines))
      process.stdout.write(
        `\ntimeline of ${id} (seconds after publish): ${Object.entries(r.timeline)
          .map(([k, v]) => `${k} ${v}`)
          .join(', ')}\n`,
      );
    log(`written ${path.relative(process.cwd(), file)}`);
  } finally {
    await sharedHashPool().close();
    await inst.stop();
  }
}

/**
 * The costs every row pays, on this machine, now: copying the image into the page cache (dd
 * without fsync) after the usual settle (memory handed back to the host) and again at once after
 * deleting that copy (recycled memory); writing that copy back (fsync); writing the image to the
 * disk past the page cache (dd oflag=direct conv=fsync); sha256 on one core.
 */
async function calibrate(image: string, file: string, bytes: number) {
  const gib = bytes / GiB;
  rmSync(file, { force: true });
  await ready(image);
  const cold = timeCommand('dd', [`if=${image}`, `of=${file}`, 'bs=4M']);
  const s0 = process.hrtime.bigint();
  const fd = openSync(file, 'r');
  fsyncSync(fd);
  closeSync(fd);
  const flush = secondsSince(s0);
  rmSync(file, { force: true });
  const warmFill = timeCommand('dd', [`if=${image}`, `of=${file}`, 'bs=4M']);
  rmSync(file, { force: true });
  await settle();
  // the disk without the page cache: what a durable write costs when no page has to be filled
  const direct = timeCommand('dd', [`if=${image}`, `of=${file}`, 'bs=4M', 'oflag=direct', 'conv=fsync']);
  rmSync(file, { force: true });
  const block = Buffer.alloc(MiB, 7);
  const h0 = process.hrtime.bigint();
  const hash = createHash('sha256');
  for (let i = 0; i < 512; i++) hash.update(block);
  hash.digest();
  const sha = secondsSince(h0);
  return {
    pageCacheFillColdSecondsPerGiB: round(cold.seconds / gib, 2),
    pageCacheFillRecycledSecondsPerGiB: round(warmFill.seconds / gib, 2),
    writebackSecondsPerGiB: round(flush / gib, 2),
    directWriteSecondsPerGiB: round(direct.seconds / gib, 2),
    sha256OneCoreMBps: round(mbps(512 * MiB, sha), 0),
  };
}

/**
 * A durable restore writes each non-zero block into one file: each page it writes is a new
 * page-cache page, filled at the cold rate the calibration measured, one writer at a time (the
 * file's inode lock). That product is its floor here; how close P1 comes, and what a restore at
 * the floor would be against restic (which writes every byte, zeros included, and no fsync).
 */
function pageCacheBound(rows: Row[], calibration: { pageCacheFillColdSecondsPerGiB: number }, dataBytes: number) {
  const seconds = (dataBytes / GiB) * calibration.pageCacheFillColdSecondsPerGiB;
  const of = (id: string) => rows.find((r) => r.id === id)?.seconds;
  const [pipeline, restic] = [of('P1'), of('2')];
  return {
    dataBytes,
    seconds: round(seconds, 2),
    pipelineOverBound: pipeline === undefined ? undefined : round(pipeline / seconds, 2),
    bestRatioToRestic: restic === undefined ? undefined : round(restic / seconds, 2),
  };
}

/** Before each timed run: its input in the page cache, then the same memory state for every run (see settle). */
async function ready(input: string): Promise<void> {
  warm(input);
  await settle();
}

function table(
  rows: Row[],
  machine: ReturnType<typeof machineInfo> & { loadAverageAtStart: number[]; loadAverageAtEnd: number[] },
  dd: number,
): string {
  const head = ['#', 'row', 's', 'MB/s', 'x dd', 'CPU s/GiB', 'peak RSS MiB', 'machine busy'];
  const body = rows.map((r) => [
    r.id,
    r.name,
    r.seconds.toFixed(2),
    String(r.mbps),
    r.ratioToDd.toFixed(2),
    r.cpuSecondsPerGiB === undefined ? '' : r.cpuSecondsPerGiB.toFixed(2),
    r.peakRssMiB ? r.peakRssMiB.map((x) => x.toFixed(0)).join(' / ') : '',
    r.machineBusy === undefined ? '' : `${Math.round(r.machineBusy * 100)}%`,
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => (i === 1 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(' | ')} |`;
  return [
    '',
    `machine: ${machine.cpu}, ${machine.memoryGiB} GiB RAM, Linux ${machine.kernel}, Node ${machine.node}, ${machine.fileSystem}`,
    `load average at start ${machine.loadAverageAtStart.join(' ')}, at end ${machine.loadAverageAtEnd.join(' ')}; dd median ${dd.toFixed(2)} s`,
    '',
    line(head),
    `|${widths.map((w, i) => (i === 1 ? ':' : '-') + '-'.repeat(w) + (i === 1 ? '-' : ':')).join('|')}|`,
    ...body.map(line),
    ...rows.filter((r) => r.notes).map((r) => `${r.id}: ${r.notes}`),
  ].join('\n');
}

const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits;
const avg = (xs: number[]) => (xs.length ? xs.reduce((s, x) => s + x, 0) / xs.length : NaN);
const fmtBytes = (n: number) =>
  n >= GiB && n % GiB === 0 ? `${n / GiB} GiB` : n >= MiB && n % MiB === 0 ? `${n / MiB} MiB` : `${n} bytes`;

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
