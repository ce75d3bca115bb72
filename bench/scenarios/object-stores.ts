// Rows S3.* and AZ.*: failover of the bench image from fauxqs (S3) and from Azurite at 1, 2 and 4
// rehydrators, beside the ceiling of a plain client of the same SDK against the same server, in
// interleaved rounds (bench/lib/object-stores.ts). In `npm run bench` as scenario "stores"; alone,
// with its own image and dd row: `npm run bench:stores` (bench/results/object-stores.json).
// Settings: BENCH_SIZE, BENCH_REPS (rounds), BENCH_STORE_REHYDRATORS (default 1,2,4), BENCH_SEED.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { writeGeneratedImage } from '@jss/replica';
import { BenchContext, config, round, Scenario } from '../lib/context';
import { GiB, mbps, timeCommand } from '../lib/measure';
import { benchStore, STORE_SERVERS, StoreReader } from '../lib/object-stores';
import { IN_FLIGHT } from '../lib/store-ceiling';

export const scenario: Scenario = { name: 'stores', run };

const rehydratorCounts = (process.env.BENCH_STORE_REHYDRATORS ?? '1,2,4').split(',').map(Number);
const ROW_PREFIX = { s3: 'S3', azure: 'AZ' } as const;

const readerName = (r: StoreReader) =>
  r.rehydrators === 0
    ? `ceiling: plain SDK client, ${IN_FLIGHT} GETs in flight`
    : `failover, ${r.rehydrators} rehydrator${r.rehydrators > 1 ? 's' : ''}: rehydration`;

const cpuNote = (r: StoreReader) =>
  `server ${r.serverCpuPerGiB} CPU s/GiB read, ${r.rehydrators === 0 ? 'client' : 'rehydrators'} ${r.readerCpuPerGiB}`;

async function readers(image: string, reps: number, log: (msg: string) => void): Promise<StoreReader[]> {
  const all: StoreReader[] = [];
  for (const store of ['s3', 'azure'] as const) all.push(...(await benchStore(store, image, rehydratorCounts, reps, log)));
  return all;
}

async function run(ctx: BenchContext): Promise<void> {
  const all = await readers(ctx.image, ctx.config.reps, ctx.log);
  for (const r of all) {
    ctx.addRow({
      id: `${ROW_PREFIX[r.store]}.${r.rehydrators === 0 ? 'c' : r.rehydrators}`,
      name: `${STORE_SERVERS[r.store]}: ${readerName(r)}`,
      what:
        r.rehydrators === 0
          ? 'a plain client of the SDK reading every stored block of the image, bytes thrown away'
          : 'first range job sent to the last range done, the blocks read from the store',
      bytes: ctx.config.size,
      runs: r.runs.map((x) => x.seconds),
      cpuSecondsPerGiB: round(r.readerCpuSeconds / (ctx.config.size / GiB), 2),
      ...(r.rehydrators > 0 && { peakRssMiB: r.runs.flatMap((x) => x.peakRssMiB), rehydration: true }),
      machineBusy: r.machineBusy,
      notes: `${r.storeMbps} MB/s from the store, x ceiling ${r.ratioToCeiling} [${r.ratiosToCeiling.join(', ')}]; ${cpuNote(r)}; server peak RSS ${r.serverPeakRssMiB} MiB`,
    });
  }
  ctx.extra.objectStores = all;
}

/** Alone: its own image, a dd row for the ratio, a markdown table, bench/results/object-stores.json. */
async function standalone(log: (msg: string) => void) {
  const dir = path.join(os.tmpdir(), `jss-bench-stores-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  try {
    const image = path.join(dir, 'vm1.img');
    await writeGeneratedImage(image, config.size, config.seed, 'vm1');
    const dd = timeCommand('dd', [`if=${image}`, `of=${path.join(dir, 'copy.img')}`, 'bs=4M', 'conv=fsync']);
    rmSync(path.join(dir, 'copy.img'), { force: true });
    const ddMbps = mbps(config.size, dd.seconds);
    log(`dd bs=4M conv=fsync: ${ddMbps.toFixed(0)} MB/s`);
    const all = await readers(image, config.reps, log);
    console.log(
      '| store | reader | MB/s from the store | x ceiling (rounds) | x dd | CPU s/GiB read: server, reader(s) | machine busy | peak RSS per rehydrator (MiB) | server peak RSS (MiB) |',
    );
    console.log('|---|---|---|---|---|---|---|---|---|');
    for (const r of all) {
      const rss = r.runs.flatMap((x) => x.peakRssMiB);
      console.log(
        `| ${STORE_SERVERS[r.store]} | ${readerName(r)} | ${r.storeMbps} | ${r.ratioToCeiling} (${r.ratiosToCeiling.join(', ')}) | ${round(mbps(config.size, r.seconds) / ddMbps, 2)} | ${r.serverCpuPerGiB}, ${r.readerCpuPerGiB} | ${Math.round(100 * r.machineBusy)}% | ${rss.length ? `${Math.min(...rss)}–${Math.max(...rss)}` : '–'} | ${r.serverPeakRssMiB} |`,
      );
    }
    console.log(`\ndd bs=4M conv=fsync: ${round(ddMbps, 1)} MB/s; image ${(config.size / GiB).toFixed(2)} GiB; ${config.reps} rounds`);
    const out = path.join(__dirname, '..', '..', '..', 'bench', 'results', 'object-stores.json');
    writeFileSync(
      out,
      JSON.stringify({ at: new Date().toISOString(), size: config.size, ddMbps: round(ddMbps, 1), readers: all }, null, 2) + '\n',
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
