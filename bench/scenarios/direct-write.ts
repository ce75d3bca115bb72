// The direct-write calibration: the bench image's non-zero blocks written from page-aligned memory
// past the page cache, by write size and writes in flight, no reading or hashing: what the write
// path alone reaches on this disk with this layout of holes, against the raw-disk row's dd.
import { rmSync } from 'node:fs';
import path from 'node:path';
import { createSparseFile, FileDiskHandle } from '@jss/platform';
import { blockLengthOf, giveSlot, takeSlot } from '@jss/replica';
import { BenchContext, ready, round, Scenario } from '../lib/context';
import { mbps, median, MiB, secondsSince } from '../lib/measure';

export const scenario: Scenario = { name: 'direct-write', run };

const SHAPES = [
  { runMiB: 1, inFlight: 1 },
  { runMiB: 1, inFlight: 4 },
  { runMiB: 8, inFlight: 1 },
  { runMiB: 8, inFlight: 2 },
  { runMiB: 16, inFlight: 2 },
];

async function run(ctx: BenchContext): Promise<void> {
  const { point, config, work } = ctx;
  const blockSize = point.blockSize;
  const disk = point.vms[0].disks[0];
  const out = path.join(work, 'direct.img');
  const slots = Array.from({ length: 32 }, () => takeSlot(blockSize));
  for (const s of slots) s.view.fill(0xa5);
  const times: Record<string, number[]> = {};
  try {
    for (let rep = 0; rep < config.reps; rep++) {
      for (let i = 0; i < SHAPES.length; i++) {
        const shape = SHAPES[(i + rep) % SHAPES.length];
        const runs = runsOf(disk.blocks, Math.max(1, (shape.runMiB * MiB) / blockSize));
        rmSync(out, { force: true });
        await createSparseFile(out, disk.sizeBytes);
        await ready(ctx.image);
        const t0 = process.hrtime.bigint();
        const target = await FileDiskHandle.open(out, { direct: true });
        let next = 0;
        await Promise.all(
          Array.from({ length: shape.inFlight }, async (_, w) => {
            while (next < runs.length) {
              const [first, count] = runs[next++];
              const views = Array.from({ length: count }, (_, k) =>
                slots[(w * 16 + k) % slots.length].view.subarray(0, blockLengthOf(disk.sizeBytes, blockSize, first + k)),
              );
              await target.writev(views, first * blockSize);
            }
          }),
        );
        await target.sync();
        await target.close();
        (times[`${shape.runMiB} MiB x ${shape.inFlight}`] ??= []).push(secondsSince(t0));
        rmSync(out, { force: true });
      }
    }
  } finally {
    for (const s of slots) giveSlot(s);
  }
  ctx.extra.directWrite = Object.fromEntries(
    Object.entries(times).map(([k, runs]) => [
      k,
      { seconds: round(median(runs), 3), dataMBps: round(mbps(ctx.dataBytes, median(runs)), 0), runs },
    ]),
  );
  ctx.log(`direct-write calibration: ${JSON.stringify(ctx.extra.directWrite)}`);
}

/** Runs of consecutive non-zero blocks, at most `max` blocks each: [first, count]. */
function runsOf(blocks: Array<string | null>, max: number): Array<[number, number]> {
  const runs: Array<[number, number]> = [];
  for (let b = 0; b < blocks.length;) {
    if (blocks[b] === null) {
      b++;
      continue;
    }
    let n = 1;
    while (n < max && b + n < blocks.length && blocks[b + n] !== null) n++;
    runs.push([b, n]);
    b += n;
  }
  return runs;
}
