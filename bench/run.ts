// npm run bench: rehydration throughput against `dd`, restic and the raw disk, at pipeline and at
// service level, in one run on one generated image. Prints a table and writes bench/results/latest.json.
// What each row measures: bench/README.md. Settings: BENCH_* environment variables (see there).
// Each scenario is a module of bench/scenarios exporting `scenario: Scenario`; they run in this order.
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { sharedHashPool, writeGeneratedImage } from '@jss/replica';
import { Installation, sha256File } from '@jss/testing';
import { BenchContext, completeRow, config, fmtBytes, Row, round, Scenario } from './lib/context';
import { freeBytes, GiB, loadAverage, machineInfo, secondsSince } from './lib/measure';
import { InternalTrace } from './lib/services';
import { scenario as pipeline } from './scenarios/pipeline';
import { scenario as directWrite } from './scenarios/direct-write';
import { scenario as services } from './scenarios/services';
import { scenario as stores } from './scenarios/object-stores';
import { scenario as delta } from './scenarios/delta';
import { scenario as fleet } from './scenarios/fleet';
import { scenario as cutover } from './scenarios/cutover';
import { scenario as rss8g } from './scenarios/rss-8g';
import { scenario as protection } from './scenarios/protection';
import { scenario as scan } from './scenarios/scan';

const SCENARIOS: Scenario[] = [pipeline, directWrite, services, stores, delta, fleet, cutover, rss8g, protection, scan];

const started = Date.now();
const log = (msg: string) => process.stderr.write(`[bench ${((Date.now() - started) / 1000).toFixed(0).padStart(4)}s] ${msg}\n`);

function repositoryRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`no package.json above ${from}`);
  }
}

const wanted = (s: Scenario) => !config.skip.has(s.name) && (config.only.size === 0 || config.only.has(s.name));

async function main() {
  const root = repositoryRoot(__dirname);
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
    const work = path.join(inst.dataDir, 'bench');
    mkdirSync(work, { recursive: true });

    // the image and its recovery point (not timed)
    const image = path.join(work, 'vm1.img');
    log(`generating a ${fmtBytes(config.size)} image (random, text and zero 1 MiB chunks) and writing its recovery point`);
    await writeGeneratedImage(image, config.size, config.seed, 'vm1');
    const imageHash = await sha256File(image);
    const t = process.hrtime.bigint();
    const point = await inst.writer.writePoint('bench', [{ name: 'vm1', source: { file: image } }]);
    const blocks = point.vms[0].disks[0].blocks;
    const zeroBlocks = blocks.filter((b) => b === null).length;
    const rows: Row[] = [];
    const ctx: BenchContext = {
      inst,
      config,
      trace: await InternalTrace.attach(inst),
      work,
      image,
      imageHash,
      point,
      dataBytes: config.size - zeroBlocks * point.blockSize,
      objects: path.join(inst.dataDir, 'objects'),
      input: { store: inst.store, manifest: point, vm: 'vm1' },
      rows,
      extra: {
        image: {
          bytes: config.size,
          blocks: blocks.length,
          zeroBlocks,
          distinctStoredBlocks: new Set(blocks.filter(Boolean)).size,
          writePointSeconds: round(secondsSince(t), 2),
        },
      },
      log,
      addRow(r) {
        const row = completeRow(r, rows, config.size);
        rows.push(row);
        log(
          `${row.id} ${row.name}: ${row.seconds} s, ${row.mbps} MB/s, ${row.ratioToDd} x dd${row.ratioToRaw ? `, ${row.ratioToRaw} x raw` : ''}`,
        );
        return row;
      },
    };
    log(`point written in ${secondsSince(t).toFixed(1)} s: ${blocks.length} blocks, ${zeroBlocks} zero`);

    for (const s of SCENARIOS.filter(wanted)) await s.run(ctx);

    const result = {
      generatedAt: new Date().toISOString(),
      durationSeconds: round((Date.now() - started) / 1000, 1),
      machine: { ...machine, loadAverageAtStart: loadAtStart, loadAverageAtEnd: loadAverage() },
      config: { ...config, skip: [...config.skip], only: [...config.only] },
      rows,
      ...ctx.extra,
    };
    const file = path.resolve(root, process.env.BENCH_OUT ?? 'bench/results/latest.json'); // an absolute BENCH_OUT stays absolute
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(`${file}.tmp`, JSON.stringify(result, null, 2) + '\n');
    renameSync(`${file}.tmp`, file);
    process.stdout.write(table(rows, result.machine) + '\n');
    if (ctx.extra.calibration)
      process.stdout.write(
        `\ncalibration: ${Object.entries(ctx.extra.calibration)
          .map(([k, v]) => `${k} ${String(v)}`)
          .join(', ')}\n`,
      );
    if (ctx.extra.plannerPeakRssMiB)
      process.stdout.write(`planner peak RSS (MiB) by VM count: ${JSON.stringify(ctx.extra.plannerPeakRssMiB)}\n`);
    for (const [id, r] of Object.entries((ctx.extra.timelines ?? {}) as Record<string, { timeline: Record<string, number> }>))
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

function table(
  rows: Row[],
  machine: ReturnType<typeof machineInfo> & { loadAverageAtStart: number[]; loadAverageAtEnd: number[] },
): string {
  const head = ['#', 'row', 's', 'MB/s', 'x dd', 'x raw', 'CPU s/GiB', 'peak RSS MiB', 'machine busy'];
  const body = rows.map((r) => [
    r.id,
    r.name,
    r.seconds.toFixed(2),
    String(r.mbps),
    Number.isNaN(r.ratioToDd) ? '' : r.ratioToDd.toFixed(2),
    r.ratioToRaw === undefined ? '' : r.ratioToRaw.toFixed(2),
    r.cpuSecondsPerGiB === undefined ? '' : r.cpuSecondsPerGiB.toFixed(2),
    r.peakRssMiB ? r.peakRssMiB.map((x) => x.toFixed(0)).join(' / ') : '',
    r.machineBusy === undefined ? '' : `${Math.round(r.machineBusy * 100)}%`,
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => (i === 1 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(' | ')} |`;
  return [
    '',
    `machine: ${machine.cpu}, ${machine.memoryGiB} GiB RAM, Linux ${machine.kernel}, Node ${machine.node}, ${machine.fileSystem}`,
    `load average at start ${machine.loadAverageAtStart.join(' ')}, at end ${machine.loadAverageAtEnd.join(' ')}`,
    '',
    line(head),
    `|${widths.map((w, i) => (i === 1 ? ':' : '-') + '-'.repeat(w) + (i === 1 ? '-' : ':')).join('|')}|`,
    ...body.map(line),
    ...rows.filter((r) => r.notes).map((r) => `${r.id}: ${r.notes}`),
  ].join('\n');
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
