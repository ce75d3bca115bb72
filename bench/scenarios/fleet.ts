// Row 7: failovers of many-VM domains (1 MiB disks each), 2 rehydrators; every service's peak RSS per count.
import { BenchContext, fmtBytes, ready, round, Scenario } from '../lib/context';
import { dryRunTiming, fillInventory, listingTimings } from '../lib/cli-timing';
import { busyShare, machineCpu } from '../lib/measure';
import { deleteRecovered, FailoverRun, restartServices, servicesPeakRss, timedFailover, useRehydrators } from '../lib/services';

export const scenario: Scenario = { name: 'fleet', run };

async function run(ctx: BenchContext): Promise<void> {
  const { inst, config, log } = ctx;
  const timelines = (ctx.extra.timelines ??= {}) as Record<string, FailoverRun>;
  const plannerRss: Record<string, number> = {};
  ctx.extra.plannerPeakRssMiB = plannerRss;
  await inst.sim.addNetwork({ name: 'fleet-net', site: 'recovery', dhcp: true, poolSize: 2 * Math.max(...config.fleetVms) + 10 });
  for (const n of config.fleetVms) {
    const domain = `fleet-${n}`;
    log(`writing a ${n}-VM domain (${fmtBytes(config.fleetVmSize)} each)`);
    const names = Array.from({ length: n }, (_, i) => `vm-${String(i).padStart(5, '0')}`);
    await inst.writer.writePoint(
      domain,
      names.map((name, i) => ({ name, source: { sizeBytes: config.fleetVmSize, seed: i } })),
    );
    // fresh services, so that each peak RSS is this failover's
    await restartServices(inst);
    await useRehydrators(inst, 2);
    await ready(ctx.objects);
    const largest = n === Math.max(...config.fleetVms);
    const dryRun = largest ? await dryRunTiming(inst, domain, 'fleet-net') : null;
    log(`failover of the ${n}-VM domain, 2 rehydrators`);
    const m0 = machineCpu();
    const r = await timedFailover(inst, ctx.trace, { domain, target: { network: 'fleet-net' } }, 1_800_000);
    const rss = servicesPeakRss(inst);
    plannerRss[String(n)] = Object.entries(rss).find(([k]) => k.startsWith('planner'))![1];
    timelines[`7.${n}`] = r;
    ctx.addRow({
      id: `7.${n}`,
      name: `failover of ${n} VMs x ${fmtBytes(config.fleetVmSize)}: end to end`,
      what: `publish to task.completed of one command recovering every VM of the domain; timeline in timelines["7.${n}"]`,
      bytes: n * config.fleetVmSize,
      runs: [r.e2eSeconds],
      peakRssMiB: Object.values(rss),
      machineBusy: round(busyShare(m0, machineCpu()), 2),
      notes: `peak RSS ${Object.entries(rss)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')} MiB; ${r.ranges} range jobs`,
    });
    await useRehydrators(inst, 0);
    if (largest) {
      // jssctl at this size: the dry run (before the failover), a listing of twice the VMs through a pipe, the task
      await fillInventory(inst, 2 * n);
      const cli = { dryRun, ...(await listingTimings(inst, r.taskId)) };
      ctx.extra.cli = cli;
      log(`jssctl: ${JSON.stringify(cli)}`);
    }
    log('deleting the recovered fleet');
    await deleteRecovered(inst, names);
  }
}
