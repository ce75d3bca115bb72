// Rows S3.* and AZ.*: failover of the bench image from fauxqs (S3) and from Azurite at 1 and 2
// rehydrators, beside the ceiling of the rehydrators' own block reads (neither hashed nor written), in
// interleaved rounds (bench/lib/object-stores.ts), in three placements: server and readers pinned
// to CPUs of their own (S3.c, S3.1, ...), not pinned (S3.uc, S3.u1, ...), and pinned through a
// link adding BENCH_LINK_MS to each request (S3.Lc, S3.L1). In `npm run bench` as scenario
// "stores"; alone, with its own image and dd row: `npm run bench:stores` (bench/results/object-stores.json).
// Settings: BENCH_SIZE, BENCH_REPS (rounds), BENCH_STORE_REHYDRATORS (default 1,2),
// BENCH_STORE_UNPINNED (default 1), BENCH_STORE_LINK_REHYDRATORS (default 1), BENCH_LINK_MS (30),
// BENCH_LINK_READS (16), BENCH_SEED.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { writeGeneratedImage } from '@jss/replica';
import { BenchContext, config, round, Scenario } from '../lib/context';
import { cpuLayout, CpuLayout } from '../lib/cpu-pinning';
import { GiB, loadAverage, mbps, timeCommand } from '../lib/measure';
import { benchStore, Placement, ReaderSpec, STORE_SERVERS, StoreBenchOptions, StoreReader } from '../lib/object-stores';

export const scenario: Scenario = { name: 'stores', run };

const counts = (v: string) => v.split(',').filter(Boolean).map(Number);
const rehydratorCounts = counts(process.env.BENCH_STORE_REHYDRATORS ?? '1,2');
const linkRehydrators = counts(process.env.BENCH_STORE_LINK_REHYDRATORS ?? '1');
// not pinned: one rehydrator count by default, to keep the scenario near 5 minutes
const unpinnedRehydrators = counts(process.env.BENCH_STORE_UNPINNED ?? '1');
const linkDelayMs = Number(process.env.BENCH_LINK_MS ?? 30);
const linkReads = Number(process.env.BENCH_LINK_READS ?? 16);
const ROW_PREFIX = { s3: 'S3', azure: 'AZ' } as const;
const PLACEMENT_ID: Record<Placement, string> = { pinned: '', shared: 'u', link: 'L' };

const readerName = (r: StoreReader) =>
  (r.rehydrators === 0
    ? `ceiling: the same block reads, not hashed or written, ${r.reads} in flight`
    : `failover, ${r.rehydrators} rehydrator${r.rehydrators > 1 ? 's' : ''}${r.placement === 'link' ? ` (${r.reads} reads in flight)` : ''}: rehydration`) +
  (r.placement === 'link' ? `, through a ${linkDelayMs} ms link` : r.placement === 'shared' ? ', not pinned' : '');

const cpuNote = (r: StoreReader) =>
  `${r.placement === 'link' ? 'server + link proxy' : 'server'} ${r.serverCpuPerGiB} CPU s/GiB read, ${r.rehydrators === 0 ? 'client' : 'rehydrators'} ${r.readerCpuPerGiB}`;

function specs(layout: CpuLayout): ReaderSpec[] {
  const of = (placement: Placement, ns: number[]) => ns.map((rehydrators) => ({ rehydrators, placement }));
  // on one CPU (or without taskset) the "pinned" rows would be unpinned ones: only those are run
  return layout.pinned
    ? [...of('pinned', rehydratorCounts), ...of('shared', unpinnedRehydrators), ...of('link', linkRehydrators)]
    : [...of('shared', rehydratorCounts), ...of('link', linkRehydrators)];
}

async function readers(image: string, reps: number, log: (msg: string) => void): Promise<{ layout: CpuLayout; all: StoreReader[] }> {
  const layout = cpuLayout();
  log(`object stores: ${layout.describe}`);
  const opts: StoreBenchOptions = { layout, linkDelayMs, linkReads };
  const all: StoreReader[] = [];
  for (const store of ['s3', 'azure'] as const) all.push(...(await benchStore(store, image, specs(layout), reps, opts, log)));
  return { layout, all };
}

async function run(ctx: BenchContext): Promise<void> {
  const { layout, all } = await readers(ctx.image, ctx.config.reps, ctx.log);
  for (const r of all) {
    ctx.addRow({
      id: `${ROW_PREFIX[r.store]}.${PLACEMENT_ID[r.placement]}${r.rehydrators === 0 ? 'c' : r.rehydrators}`,
      name: `${STORE_SERVERS[r.store]}: ${readerName(r)}`,
      what:
        r.rehydrators === 0
          ? "the rehydrators' block reads (signed GETs) of every stored block of the image, neither hashed nor written"
          : 'first range job sent to the last range done, the blocks read from the store',
      bytes: ctx.config.size,
      runs: r.runs.map((x) => x.seconds),
      cpuSecondsPerGiB: round(r.readerCpuSeconds / (ctx.config.size / GiB), 2),
      ...(r.rehydrators > 0 && { peakRssMiB: r.runs.flatMap((x) => x.peakRssMiB), rehydration: true }),
      machineBusy: r.machineBusy,
      notes: `${r.storeMbps} MB/s from the store, x ceiling ${r.ratioToCeiling} [${r.ratiosToCeiling.join(', ')}]; ${cpuNote(r)}; server peak RSS ${r.serverPeakRssMiB} MiB${r.placement === 'shared' ? '' : `; ${layout.describe}`}`,
    });
  }
  ctx.extra.objectStores = { cpuLayout: layout, linkDelayMs, linkReads, readers: all };
}

/** One markdown table of the readers of some placements. */
function table(title: string, readers: StoreReader[], ddMbps: number): string {
  const lines = [
    title,
    '',
    '| store | reader | MB/s from the store | x ceiling (rounds) | x dd | CPU s/GiB read: server, reader(s) | machine busy | peak RSS per rehydrator (MiB) | server peak RSS (MiB) |',
    '|---|---|--:|---|--:|---|--:|---|--:|',
  ];
  for (const r of readers) {
    const rss = r.runs.flatMap((x) => x.peakRssMiB);
    lines.push(
      `| ${STORE_SERVERS[r.store]} | ${readerName(r)} | ${r.storeMbps} | ${r.ratioToCeiling} (${r.ratiosToCeiling.join(', ')}) | ${round(mbps(config.size, r.seconds) / ddMbps, 2)} | ${r.serverCpuPerGiB}, ${r.readerCpuPerGiB} | ${Math.round(100 * r.machineBusy)}% | ${rss.length ? `${Math.min(...rss)}–${Math.max(...rss)}` : '–'} | ${r.serverPeakRssMiB} |`,
    );
  }
  return lines.join('\n');
}

/** Alone: its own image, a dd row for the ratio, markdown tables, bench/results/object-stores.json. */
async function standalone(log: (msg: string) => void) {
  const dir = path.join(os.tmpdir(), `jss-bench-stores-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  try {
    const loadAtStart = loadAverage();
    const image = path.join(dir, 'vm1.img');
    await writeGeneratedImage(image, config.size, config.seed, 'vm1');
    const dd = timeCommand('dd', [`if=${image}`, `of=${path.join(dir, 'copy.img')}`, 'bs=4M', 'conv=fsync']);
    rmSync(path.join(dir, 'copy.img'), { force: true });
    const ddMbps = mbps(config.size, dd.seconds);
    log(`dd bs=4M conv=fsync: ${ddMbps.toFixed(0)} MB/s`);
    const { layout, all } = await readers(image, config.reps, log);
    const loadAtEnd = loadAverage();
    const load = `load average (1, 5, 15 min) at start ${loadAtStart.join(' ')}, at end ${loadAtEnd.join(' ')}`;
    const at = (placements: Placement[]) => all.filter((r) => placements.includes(r.placement));
    console.log(`${load}; ${(config.size / GiB).toFixed(2)} GiB image, ${config.reps} interleaved rounds, medians\n`);
    console.log(
      table(
        `Server and readers ${layout.pinned ? 'pinned apart' : 'NOT pinned'} (${layout.describe}); link rows: +${linkDelayMs} ms per request`,
        at(['pinned', 'link']),
        ddMbps,
      ),
    );
    if (layout.pinned) console.log('\n' + table('Not pinned (server and readers share every CPU)', at(['shared']), ddMbps));
    console.log(`\ndd bs=4M conv=fsync: ${round(ddMbps, 1)} MB/s`);
    const out = path.join(__dirname, '..', '..', '..', 'bench', 'results', 'object-stores.json');
    writeFileSync(
      out,
      JSON.stringify(
        {
          at: new Date().toISOString(),
          size: config.size,
          ddMbps: round(ddMbps, 1),
          loadAtStart,
          loadAtEnd,
          cpuLayout: layout,
          linkDelayMs,
          linkReads,
          readers: all,
        },
        null,
        2,
      ) + '\n',
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  const started = Date.now();
  standalone((msg) => process.stderr.write(`[bench:stores ${((Date.now() - started) / 1000).toFixed(0).padStart(4)}s] ${msg}\n`)).catch(
    (err: unknown) => {
      console.error(err);
      process.exitCode = 1;
    },
  );
}
