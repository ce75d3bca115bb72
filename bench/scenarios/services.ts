// Rows 3, 4 and 4b: failovers of the bench image's one-VM domain through the services.
import { sha256File } from '@jss/testing';
import { avg, BenchContext, ready, round, Scenario } from '../lib/context';
import { busyShare, GiB, machineCpu, median } from '../lib/measure';
import { deleteRecovered, FailoverRun, timedFailover, useRehydrators } from '../lib/services';

export const scenario: Scenario = { name: 'services', run };

async function run(ctx: BenchContext): Promise<void> {
  const { config, log } = ctx;
  if (!config.skip.has('services')) {
    for (const procs of [1, 2]) {
      log(`failover through the services, ${procs} rehydrator process(es)`);
      await serviceRow(ctx, `3.${procs}`, `failover, ${procs} rehydrator${procs > 1 ? 's' : ''}`, procs, {}, procs === 1);
    }
  }
  if (!config.skip.has('latency')) {
    for (const procs of [1, 2, 4]) {
      log(`failover with ${config.latencyMs} ms store latency, ${procs} rehydrator process(es)`);
      const name = `failover, store latency ${config.latencyMs} ms, ${procs} rehydrator${procs > 1 ? 's' : ''}`;
      await serviceRow(ctx, `4.${procs}`, name, procs, { JSS_STORE_LATENCY_MS: String(config.latencyMs) }, false);
    }
    // the store as the bound: each rehydrator's link to it capped, as a remote store's per-client throughput is
    for (const procs of [1, 2, 4]) {
      log(
        `failover with ${config.latencyMs} ms store latency and ${config.storeMbps} MB/s per rehydrator, ${procs} rehydrator process(es)`,
      );
      const storeEnv = { JSS_STORE_LATENCY_MS: String(config.latencyMs), JSS_STORE_MBPS: String(config.storeMbps) };
      const name = `failover, ${config.latencyMs} ms + ${config.storeMbps} MB/s per rehydrator, ${procs} rehydrator${procs > 1 ? 's' : ''}`;
      await serviceRow(ctx, `4b.${procs}`, name, procs, storeEnv, false);
    }
  }
  await useRehydrators(ctx.inst, 0);
}

async function serviceRow(ctx: BenchContext, id: string, name: string, procs: number, rehydratorEnv: NodeJS.ProcessEnv, verify: boolean) {
  const { inst, config, point } = ctx;
  const timelines = (ctx.extra.timelines ??= {}) as Record<string, FailoverRun>;
  const e2e: number[] = [];
  const phase: number[] = [];
  const rss: number[] = [];
  const cpu: number[] = [];
  const b: number[] = [];
  for (let rep = 0; rep < config.serviceReps; rep++) {
    await useRehydrators(inst, procs, rehydratorEnv);
    await ready(ctx.objects);
    const m0 = machineCpu();
    const r = await timedFailover(inst, ctx.trace, { domain: 'bench', recoveryPoint: point.id }, 600_000);
    b.push(busyShare(m0, machineCpu()));
    timelines[`${id}${config.serviceReps > 1 ? `#${rep + 1}` : ''}`] = r;
    e2e.push(r.e2eSeconds);
    phase.push(r.rehydrationSeconds);
    rss.push(...r.rehydrators.map((x) => x.peakRssMiB));
    cpu.push(r.rehydrators.reduce((s, x) => s + x.cpuSeconds, 0));
    if (verify && rep === 0) {
      const vm = await inst.platform.getVm('recovery', 'vm1');
      const got = await sha256File(inst.platform.diskFile(vm!.disks[0].path));
      if (got !== ctx.imageHash) throw new Error(`recovered disk differs from the image (sha256 ${got}, expected ${ctx.imageHash})`);
    }
    await deleteRecovered(inst, ['vm1']);
  }
  const common = {
    bytes: config.size,
    peakRssMiB: rss,
    cpuSecondsPerGiB: round(median(cpu) / (config.size / GiB), 2),
    machineBusy: round(avg(b), 2),
    rehydration: true,
  };
  ctx.addRow({
    id: `${id}e`,
    name: `${name}: end to end`,
    what: 'publish of the failover command to task.completed (RocVA, RVM, rehydration, recovered VM, cleanup)',
    runs: e2e,
    ...common,
  });
  ctx.addRow({
    id: `${id}r`,
    name: `${name}: rehydration`,
    what: "first range job sent to the last range done (each range replied after its fsync), from the messages' times",
    runs: phase,
    ...common,
  });
}
