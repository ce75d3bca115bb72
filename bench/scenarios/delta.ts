// Row 5: a delta applied at pipeline level onto a copy of the full image.
import { copyFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { FileDiskHandle } from '@jss/platform';
import { imageSha256, rehydrateRange } from '@jss/replica';
import { sha256File } from '@jss/testing';
import { BenchContext, ready, round, Scenario } from '../lib/context';
import { GiB, median, secondsSince } from '../lib/measure';

export const scenario: Scenario = { name: 'delta', run };

async function run(ctx: BenchContext): Promise<void> {
  const { inst, config, point, work } = ctx;
  const blocks = point.vms[0].disks[0].blocks;
  ctx.log(`delta: a snapshot with ${config.deltaPercent}% of the blocks changed, applied onto a copy of the full image`);
  const next = await inst.writer.snapshot('bench', { changePercent: config.deltaPercent, seed: config.seed + 1 });
  const changed = next.vms[0].disks[0].blocks.filter((h, i) => h !== blocks[i]).length;
  const expected = await imageSha256(inst.store, next, 'vm1', 0);
  const runs: number[] = [];
  const cpu: number[] = [];
  let blocksRead = 0;
  for (let rep = 0; rep < config.reps; rep++) {
    const target = path.join(work, 'delta.img');
    rmSync(target, { force: true });
    copyFileSync(ctx.image, target);
    await ready(ctx.objects);
    const cpu0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    const disk = await FileDiskHandle.open(target, { direct: true });
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
  ctx.addRow({
    id: '5',
    name: `delta apply, ${config.deltaPercent}% changed (pipeline)`,
    what: `rehydrateRange with previous = the full point onto a copy of the full image (${changed} of ${blocks.length} blocks changed), fsynced; pipeline level`,
    bytes: config.size,
    runs,
    cpuSecondsPerGiB: round(median(cpu) / (config.size / GiB), 2),
    notes: `${blocksRead} blocks read; every other block skipped (unchanged or zero in both points)`,
  });
}
