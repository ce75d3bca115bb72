// Row 8 (BENCH_RSS_8G=1 only): one 8 GiB disk, one rehydrator, for its peak RSS.
import { BenchContext, ready, Scenario } from '../lib/context';
import { GiB } from '../lib/measure';
import { deleteRecovered, FailoverRun, timedFailover, useRehydrators } from '../lib/services';

export const scenario: Scenario = { name: 'rss-8g', run };

async function run(ctx: BenchContext): Promise<void> {
  const { inst, config, log } = ctx;
  if (!config.rss8g) return;
  const timelines = (ctx.extra.timelines ??= {}) as Record<string, FailoverRun>;
  log('BENCH_RSS_8G: writing an 8 GiB generated disk (takes a while)');
  await inst.writer.writePoint('big', [{ name: 'big', source: { sizeBytes: 8 * GiB, seed: config.seed } }]);
  await useRehydrators(inst, 1);
  await ready(ctx.objects);
  log('failover of the 8 GiB disk, 1 rehydrator');
  const r = await timedFailover(inst, ctx.trace, { domain: 'big' }, 1_800_000);
  timelines['8'] = r;
  ctx.addRow({
    id: '8',
    name: 'failover of one 8 GiB disk, 1 rehydrator: end to end',
    what: 'publish to task.completed; for the peak RSS of one worker on a large disk',
    bytes: 8 * GiB,
    runs: [r.e2eSeconds],
    peakRssMiB: r.rehydrators.map((x) => x.peakRssMiB),
    rehydration: false,
  });
  await useRehydrators(inst, 0);
  await deleteRecovered(inst, ['big']);
}
