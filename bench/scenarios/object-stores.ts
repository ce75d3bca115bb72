// npm run bench:stores: failover of one image from fauxqs (S3) and from Azurite, at 1, 2 and 4
// rehydrators, beside the ceiling a plain client of the same SDK gets from the same server in the
// same run (32 GETs in flight over the same block objects, bytes thrown away), and beside dd.
// Settings: BENCH_SIZE (default 2GiB), BENCH_STORE_REHYDRATORS (default 1,2,4), BENCH_SEED.
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { BlobServiceClient } from '@azure/storage-blob';
import http from 'node:http';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { blockKey, Manifest, parseSize, writeGeneratedImage } from '@jss/replica';
import { parseStoreUrl } from '@jss/store';
import { Installation, StoreServer } from '@jss/testing';
import { GiB, mbps, peakRssMiB, secondsSince, timeCommand } from '../lib/measure';
import { deleteRecovered, InternalTrace, timedFailover, useRehydrators } from '../lib/services';

const IN_FLIGHT = 32;

export interface StoreRow {
  store: 's3' | 'azure';
  /** 'ceiling' or the number of rehydrators */
  what: string;
  /** MB/s of bytes read from the store (the non-zero blocks) */
  storeMbps: number;
  /** MB/s of logical disk bytes (zero blocks are not stored and not read) */
  logicalMbps: number;
  ratioToCeiling: number;
  ratioToDd: number;
  peakRssMiB: number[];
  serverPeakRssMiB: number;
}

const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;

/** Discards a response body as fast as it arrives. */
async function drain(body: Readable): Promise<number> {
  let n = 0;
  for await (const chunk of body as AsyncIterable<Uint8Array>) n += chunk.length;
  return n;
}

/** A plain SDK client reading every block of the point with IN_FLIGHT GETs at once: seconds, bytes. */
async function ceiling(env: NodeJS.ProcessEnv, keys: string[]): Promise<{ seconds: number; bytes: number }> {
  const location = parseStoreUrl(env.JSS_STORE_URL, env.JSS_DATA_DIR ?? '.');
  const full = (key: string) => ('prefix' in location && location.prefix ? `${location.prefix}/${key}` : key);
  let get: (key: string) => Promise<number>;
  let close = () => undefined as void;
  if (location.kind === 's3') {
    const client = new S3Client({
      endpoint: env.AWS_ENDPOINT_URL_S3,
      region: env.AWS_REGION,
      forcePathStyle: true,
      credentials: { accessKeyId: env.AWS_ACCESS_KEY_ID!, secretAccessKey: env.AWS_SECRET_ACCESS_KEY! },
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      requestHandler: { httpAgent: new http.Agent({ keepAlive: true, maxSockets: IN_FLIGHT }) },
    });
    get = async (key) => drain((await client.send(new GetObjectCommand({ Bucket: location.bucket, Key: full(key) }))).Body as Readable);
    close = () => client.destroy();
  } else if (location.kind === 'azure') {
    const container = BlobServiceClient.fromConnectionString(env.AZURE_STORAGE_CONNECTION_STRING!).getContainerClient(location.container);
    get = async (key) => drain((await container.getBlobClient(full(key)).download(0)).readableStreamBody as Readable);
  } else {
    throw new Error('the ceiling is measured for S3 and Azure only');
  }
  let next = 0;
  let bytes = 0;
  const t = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (next < keys.length) {
        const n = await get(keys[next++]);
        bytes += n; // after the await: `bytes += await` would add to a stale value
      }
    }),
  );
  const seconds = secondsSince(t);
  close();
  return { seconds, bytes };
}

/** The rows of one store: its ceiling, then a failover at each rehydrator count. */
async function benchStore(
  store: 's3' | 'azure',
  image: string,
  size: number,
  rehydrators: number[],
  ddMbps: number,
  log: (msg: string) => void,
): Promise<StoreRow[]> {
  const inst = await Installation.start({ planner: 1, provisioner: 1, janitor: 1 }, { LOG_LEVEL: 'warn' }, { store });
  const rows: StoreRow[] = [];
  try {
    log(`${store}: writing the point (${(size / GiB).toFixed(2)} GiB) through jssctl's writer`);
    const t = process.hrtime.bigint();
    const point: Manifest = await inst.writer.writePoint('bench', [{ name: 'vm1', source: { file: image } }]);
    log(`${store}: point written in ${secondsSince(t).toFixed(1)} s`);
    const keys = [...new Set(point.vms[0].disks[0].blocks.filter((b): b is string => b !== null))].map((h) => blockKey('bench', h));
    const server = inst.storeServer as StoreServer;

    const c = await ceiling(inst.env, keys);
    const ceilingMbps = mbps(c.bytes, c.seconds);
    const storedBytes = c.bytes;
    log(`${store}: ceiling ${ceilingMbps.toFixed(0)} MB/s (${keys.length} objects, ${IN_FLIGHT} in flight)`);
    rows.push({
      store,
      what: 'ceiling',
      storeMbps: round(ceilingMbps, 1),
      logicalMbps: round(mbps(size, c.seconds), 1),
      ratioToCeiling: 1,
      ratioToDd: round(mbps(size, c.seconds) / ddMbps),
      peakRssMiB: [round(peakRssMiB(process.pid), 1)],
      serverPeakRssMiB: round(peakRssMiB(server.pid!), 1),
    });

    const trace = await InternalTrace.attach(inst);
    for (const n of rehydrators) {
      await useRehydrators(inst, n);
      const run = await timedFailover(inst, trace, { domain: 'bench' }, 3_600_000);
      await deleteRecovered(inst, ['vm1']);
      const storeRate = mbps(storedBytes, run.rehydrationSeconds);
      log(`${store}: ${n} rehydrator(s): ${storeRate.toFixed(0)} MB/s from the store, ${run.rehydrationSeconds} s`);
      rows.push({
        store,
        what: `${n} rehydrator${n > 1 ? 's' : ''}`,
        storeMbps: round(storeRate, 1),
        logicalMbps: round(mbps(size, run.rehydrationSeconds), 1),
        ratioToCeiling: round(storeRate / ceilingMbps),
        ratioToDd: round(mbps(size, run.rehydrationSeconds) / ddMbps),
        peakRssMiB: run.rehydrators.map((r) => r.peakRssMiB),
        serverPeakRssMiB: round(peakRssMiB(server.pid!), 1),
      });
    }
  } finally {
    await inst.stop();
  }
  return rows;
}

/** The object-store rows, for bench/run.ts or on their own. */
export async function runObjectStoreBench(opts: { size: number; rehydrators: number[]; seed: number; log: (msg: string) => void }) {
  const dir = path.join(os.tmpdir(), `jss-bench-stores-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  try {
    const image = path.join(dir, 'vm1.img');
    await writeGeneratedImage(image, opts.size, opts.seed, 'vm1');
    const dd = timeCommand('dd', [`if=${image}`, `of=${path.join(dir, 'copy.img')}`, 'bs=4M', 'conv=fsync']);
    rmSync(path.join(dir, 'copy.img'), { force: true });
    const ddMbps = mbps(opts.size, dd.seconds);
    opts.log(`dd bs=4M conv=fsync: ${ddMbps.toFixed(0)} MB/s`);
    const rows: StoreRow[] = [];
    for (const store of ['s3', 'azure'] as const)
      rows.push(...(await benchStore(store, image, opts.size, opts.rehydrators, ddMbps, opts.log)));
    return { size: opts.size, ddMbps: round(ddMbps, 1), rows };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  const started = Date.now();
  const log = (msg: string) => process.stderr.write(`[bench:stores ${((Date.now() - started) / 1000).toFixed(0).padStart(4)}s] ${msg}\n`);
  runObjectStoreBench({
    size: parseSize(process.env.BENCH_SIZE ?? '2GiB'),
    rehydrators: (process.env.BENCH_STORE_REHYDRATORS ?? '1,2,4').split(',').map(Number),
    seed: Number(process.env.BENCH_SEED ?? 1),
    log,
  }).then(
    (result) => {
      const server = (s: string) => (s === 's3' ? 'fauxqs 1.9.2' : 'Azurite 3.35.0');
      console.log(
        `| store | reader | MB/s from the store | logical MB/s | × ceiling | × dd | peak RSS per rehydrator (MiB) | server peak RSS (MiB) |`,
      );
      console.log(`|---|---|---|---|---|---|---|---|`);
      for (const r of result.rows) {
        const reader = r.what === 'ceiling' ? `ceiling: plain SDK client, ${IN_FLIGHT} GETs in flight` : `failover, ${r.what}`;
        console.log(
          `| ${server(r.store)} | ${reader} | ${r.storeMbps} | ${r.logicalMbps} | ${r.ratioToCeiling} | ${r.ratioToDd} | ${r.what === 'ceiling' ? '–' : r.peakRssMiB.join(', ')} | ${r.serverPeakRssMiB} |`,
        );
      }
      console.log(`\ndd bs=4M conv=fsync: ${result.ddMbps} MB/s; image ${(result.size / GiB).toFixed(2)} GiB`);
      const out = path.join(__dirname, '..', '..', '..', 'bench', 'results', 'object-stores.json');
      writeFileSync(out, JSON.stringify({ at: new Date().toISOString(), ...result }, null, 2) + '\n');
    },
    (err) => {
      console.error(err);
      process.exitCode = 1;
    },
  );
}
