// npm run bench:vsphere: the 2 GiB failover through vcsim (the vSphere adapter's SOAP calls) beside
// the simulated platform, same image, same services. Prints a table; writes bench/results/vsphere.json.
// BENCH_SIZE (default 2GiB), BENCH_SERVICE_REPS (default 2).
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseSize, writeGeneratedImage } from '@jss/replica';
import { Installation, PLATFORM_BACKENDS, PlatformBackend, sha256File } from '@jss/testing';
import { loadAverage, median } from '../lib/measure';
import { InternalTrace, deleteRecovered, timedFailover, useRehydrators } from '../lib/services';

const size = parseSize(process.env.BENCH_SIZE ?? '2GiB');
const reps = Number(process.env.BENCH_SERVICE_REPS ?? 2);

interface PlatformRow {
  platform: PlatformBackend;
  /** publish of the command to task.completed, per run */
  e2eSeconds: number[];
  /** first range job sent to the last range done: the part that does not depend on the platform */
  rehydrationSeconds: number[];
  /** the rest: RocVA, RVM and recovered VM, power-on, deletion, messages */
  platformSeconds: number[];
}

async function measure(platform: PlatformBackend, image: string, imageHash: string): Promise<PlatformRow> {
  const inst = await Installation.start({ planner: 1, provisioner: 1, janitor: 1 }, {}, { platform });
  try {
    const point = await inst.writer.writePoint('bench', [{ name: 'vm1', source: { file: image } }]);
    const trace = await InternalTrace.attach(inst);
    const row: PlatformRow = { platform, e2eSeconds: [], rehydrationSeconds: [], platformSeconds: [] };
    for (let rep = 0; rep < reps; rep++) {
      await useRehydrators(inst, 1);
      const run = await timedFailover(inst, trace, { domain: 'bench', recoveryPoint: point.id }, 900_000);
      const vm = await inst.platform.getVm('recovery', 'vm1');
      const got = await sha256File(inst.platform.diskFile(vm!.disks[0].path));
      if (got !== imageHash) throw new Error(`${platform}: recovered disk differs from the image (sha256 ${got}, expected ${imageHash})`);
      row.e2eSeconds.push(run.e2eSeconds);
      row.rehydrationSeconds.push(run.rehydrationSeconds);
      row.platformSeconds.push(Math.round((run.e2eSeconds - run.rehydrationSeconds) * 1000) / 1000);
      await deleteRecovered(inst, ['vm1']);
    }
    return row;
  } finally {
    await inst.stop();
  }
}

async function main() {
  const work = path.join(os.tmpdir(), `jss-bench-vsphere-${process.pid}`);
  mkdirSync(work, { recursive: true });
  const image = path.join(work, 'vm1.img');
  console.log(`generating a ${size}-byte image`);
  await writeGeneratedImage(image, size, 42, 'vm1');
  const imageHash = await sha256File(image);
  const rows: PlatformRow[] = [];
  try {
    for (const platform of PLATFORM_BACKENDS) rows.push(await measure(platform, image, imageHash));
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  console.log('\n| platform | failover e2e s (median) | rehydration s | platform + messages s | runs e2e |');
  console.log('|---|---|---|---|---|');
  const m = (xs: number[]) => median(xs).toFixed(2);
  for (const r of rows) {
    console.log(
      `| ${r.platform} | ${m(r.e2eSeconds)} | ${m(r.rehydrationSeconds)} | ${m(r.platformSeconds)} | ${r.e2eSeconds.join(', ')} |`,
    );
  }
  const out = path.join(__dirname, '..', '..', '..', 'bench', 'results', 'vsphere.json');
  writeFileSync(out, JSON.stringify({ date: new Date().toISOString(), sizeBytes: size, loadAverage: loadAverage(), rows }, null, 2) + '\n');
  console.log(`\nwritten ${out}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
