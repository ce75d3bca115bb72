// Rows 1 (dd), 2 (restic), R (the raw disk) and P (the pipeline), interleaved, and the calibration.
import { closeSync, fsyncSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { sha256File } from '@jss/testing';
import { avg, BenchContext, ready, round, Scenario } from '../lib/context';
import { busyShare, GiB, machineCpu, mbps, median, MiB, prefill, secondsSince, settle, timeCommand } from '../lib/measure';
import { NEW, NEW_32, PAGE_CACHE, PREVIOUS, runVariant, Variant } from '../lib/pipeline';
import { Restic } from '../lib/restic';

export const scenario: Scenario = { name: 'pipeline', run };

async function run(ctx: BenchContext): Promise<void> {
  const { config, work, image, imageHash, input, objects, log } = ctx;
  // restic restores into a fresh folder: not comparable with prefilled targets
  const restic = config.skip.has('restic') || config.prefill ? null : Restic.available(path.join(work, 'restic-repo'));
  if (restic) {
    log(`${restic.version}: backing up the image (not timed)`);
    ctx.extra.resticBackupSeconds = round(restic.backup(image).seconds, 2);
  } else if (!config.skip.has('restic') && !config.prefill) {
    log('restic is not installed: no restic row (bash scripts/install-bench-tools.sh installs it)');
  }
  // the raw disk: the non-zero blocks of the image side by side, written past the page cache
  const dense = path.join(work, 'nonzero.img');
  writeNonZero(image, dense, ctx.point.blockSize, ctx.point.vms[0].disks[0].blocks);

  log(
    'calibration: page-cache fill (dd without fsync) in the cold and the recycled memory state, writeback, direct writes, sha256 per core',
  );
  ctx.extra.calibration = await calibrate(image, path.join(work, 'calibration.img'), config.size);

  const series: Record<string, { runs: number[]; cpu: number[]; busy: number[]; notes?: string[] }> = {};
  const record = (name: string, seconds: number, cpuSeconds: number, m0: ReturnType<typeof machineCpu>) => {
    const s = (series[name] ??= { runs: [], cpu: [], busy: [] });
    s.busy.push(busyShare(m0, machineCpu()));
    s.runs.push(seconds);
    s.cpu.push(cpuSeconds);
    return s;
  };
  const copy = path.join(work, 'copy.img');
  const out = path.join(work, 'out.img');
  const variants: Variant[] = [NEW, NEW_32, PAGE_CACHE, PREVIOUS];
  const runDd = async () => {
    rmSync(copy, { force: true });
    if (config.prefill) prefill(copy, config.size);
    await ready(image);
    const m0 = machineCpu();
    const d = timeCommand('dd', [`if=${image}`, `of=${copy}`, 'bs=4M', config.prefill ? 'conv=notrunc,fsync' : 'conv=fsync']);
    record('dd', d.seconds, d.cpuSeconds, m0);
    rmSync(copy, { force: true });
  };
  const runRaw = async () => {
    rmSync(copy, { force: true });
    await ready(dense);
    const m0 = machineCpu();
    const d = timeCommand('dd', [`if=${dense}`, `of=${copy}`, 'bs=4M', 'oflag=direct', 'conv=fsync']);
    record('raw', d.seconds, d.cpuSeconds, m0);
    rmSync(copy, { force: true });
  };
  const runPipeline = (v: Variant, verify: boolean) => async () => {
    if (config.prefill) prefill(out, config.size);
    await ready(objects);
    const m0 = machineCpu();
    const r = await runVariant(v, input, out, verify, config.prefill);
    const s = record(v.name, r.seconds, r.cpuSeconds, m0);
    (s.notes ??= []).push(r.ioMode);
    if (verify) {
      const got = await sha256File(out);
      if (got !== imageHash) throw new Error(`pipeline output differs from the image (sha256 ${got}, expected ${imageHash})`);
      rmSync(out, { force: true });
    }
  };
  const resSync: number[] = [];
  const runRestic = (r: Restic, verify: boolean) => async () => {
    await ready(r.repo);
    const m0 = machineCpu();
    const restored = r.restore(path.join(work, 'restic-out'));
    record('restic', restored.seconds, restored.cpuSeconds, m0);
    const s0 = process.hrtime.bigint();
    const fd = openSync(restored.file, 'r');
    fsyncSync(fd);
    closeSync(fd);
    resSync.push(secondsSince(s0));
    if (verify && (await sha256File(restored.file)) !== imageHash) throw new Error('restic restored a different image');
    rmSync(path.join(work, 'restic-out'), { recursive: true, force: true });
  };
  for (let rep = 0; rep < config.reps; rep++) {
    // every repetition runs each contender once, in an order rotated by one per repetition, so
    // that none always follows the same other one (what ran just before changes the memory state)
    const contenders: Array<[string, () => Promise<void>]> = [
      ['dd', runDd],
      ['raw disk', runRaw],
      ...variants.map((v): [string, () => Promise<void>] => [v.name, runPipeline(v, rep === 0 && v !== PREVIOUS)]),
      ...(restic ? [['restic restore', runRestic(restic, rep === 0)] as [string, () => Promise<void>]] : []),
    ];
    const order = contenders.map((_, i) => contenders[(i + rep) % contenders.length]);
    log(`pipeline-level repetition ${rep + 1} of ${config.reps}: ${order.map(([name]) => name).join(', ')}`);
    for (const [, runOne] of order) await runOne();
  }
  const gib = config.size / GiB;
  const cpuPerGiB = (name: string) => round(median(series[name].cpu) / gib, 2);
  ctx.addRow({
    id: '1',
    name: 'dd bs=4M conv=fsync',
    what: 'dd copying the image file into a new file and fsyncing it (spawnSync, process.hrtime)',
    bytes: config.size,
    runs: series.dd.runs,
    cpuSecondsPerGiB: cpuPerGiB('dd'),
    machineBusy: round(avg(series.dd.busy), 2),
  });
  ctx.addRow({
    id: 'R',
    name: 'raw disk: non-zero bytes, oflag=direct',
    what: `dd bs=4M oflag=direct conv=fsync of the image's ${ctx.dataBytes / MiB} non-zero MiB side by side: the bytes a restore must write, past the page cache`,
    bytes: config.size,
    runs: series.raw.runs,
    cpuSecondsPerGiB: cpuPerGiB('raw'),
    machineBusy: round(avg(series.raw.busy), 2),
    notes: `${round(mbps(ctx.dataBytes, median(series.raw.runs)), 0)} MB/s of data; its MB/s column is logical disk bytes like the others`,
  });
  if (restic) {
    ctx.addRow({
      id: '2',
      name: 'restic restore',
      what: `${restic.version}: restore of a backup of the image into a fresh folder, repository on the same file system, --no-cache`,
      bytes: config.size,
      runs: series.restic.runs,
      cpuSecondsPerGiB: cpuPerGiB('restic'),
      machineBusy: round(avg(series.restic.busy), 2),
      notes: `restic does not fsync; fsyncing the restored file afterwards took another ${median(resSync).toFixed(2)} s`,
    });
  }
  for (const [i, v] of variants.entries()) {
    ctx.addRow({
      id: `P${i + 1}`,
      name: `pipeline: ${v.name}`,
      what: `${v.what}; the whole disk in one rehydrateRange call into ${config.prefill ? 'a zero-filled file (BENCH_PREFILL)' : 'a fresh sparse file'}, fsynced`,
      bytes: config.size,
      runs: series[v.name].runs,
      cpuSecondsPerGiB: cpuPerGiB(v.name),
      machineBusy: round(avg(series[v.name].busy), 2),
      rehydration: true,
      notes: `target written in mode ${[...new Set(series[v.name].notes)].join(', ')}`,
    });
  }
}

/** The image's non-zero blocks one after the other (what the raw-disk row writes). */
function writeNonZero(image: string, file: string, blockSize: number, blocks: Array<string | null>): void {
  const buffer = Buffer.alloc(blockSize);
  const from = openSync(image, 'r');
  const to = openSync(file, 'w');
  try {
    let at = 0;
    for (const [i, hash] of blocks.entries()) {
      if (hash === null) continue;
      const n = readSync(from, buffer, 0, blockSize, i * blockSize);
      writeSync(to, buffer, 0, n, at);
      at += n;
    }
  } finally {
    closeSync(from);
    closeSync(to);
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
