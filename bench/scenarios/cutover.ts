// Rows C and L: a continuous failover of N VMs (1 MiB each, 2 rehydrators) kept current; the
// steady-state lag of one point changing 1% of its VMs (L), and the cut-over (C): the failover
// naming the task, published with the RVMs already holding the newest point, to task.completed.
import { PointEvents } from '@jss/scan';
import { Recorded } from '@jss/testing';
import { BenchContext, fmtBytes, round, Scenario } from '../lib/context';
import { busyShare, machineCpu } from '../lib/measure';
import { deleteRecovered, restartServices, servicesPeakRss, useRehydrators } from '../lib/services';

export const scenario: Scenario = { name: 'cutover', run };

const eventTime = (r: Recorded) => Date.parse(r.event.time ?? '') || r.at;

async function run(ctx: BenchContext): Promise<void> {
  const { inst, config, log } = ctx;
  const size = config.fleetVmSize;
  const network = 'cutover-net';
  await inst.sim.addNetwork({ name: network, site: 'recovery', dhcp: true, poolSize: 2 * Math.max(...config.cutoverVms) + 10 });
  for (const n of config.cutoverVms) {
    const domain = `cutover-${n}`;
    const names = Array.from({ length: n }, (_, i) => `vm-${String(i).padStart(5, '0')}`);
    log(`writing a ${n}-VM domain (${fmtBytes(size)} each)`);
    await inst.writer.writePoint(
      domain,
      names.map((name, i) => ({ name, source: { sizeBytes: size, seed: i } })),
    );
    await restartServices(inst);
    await useRehydrators(inst, 2);
    log(`continuous failover of the ${n}-VM domain`);
    const id = await inst.publish('continuous-failover', { domain, target: { network } });
    const first = await inst.events.waitFor(id, ['task.synced', 'task.failed', 'command.rejected'], 1_800_000);
    if (first.key !== 'task.synced') throw new Error(`continuous failover of ${domain}: ${first.key} ${JSON.stringify(first.event.data)}`);
    const taskId = first.event.subject!;

    // steady state: a point in which 1% of the VMs changed, applied as a delta
    const changed = names.slice(0, Math.max(1, Math.round(n / 100)));
    const m0 = machineCpu();
    const point = await inst.writer.writePoint(
      domain,
      changed.map((name, i) => ({ name, source: { sizeBytes: size, seed: 1_000_000 + i } })),
    );
    const written = Date.now();
    await new PointEvents(inst.bus, '/bench').created(point); // as every writer does (jssctl replica, the replicator)
    const synced = await inst.events.waitForMatch(id, ['task.synced'], (d) => (d.recoveryPoint as { id: string }).id === point.id, 600_000);
    const lag = synced.event.data as { lagSeconds: number; bytesRead: number; blocksRead: number };
    ctx.addRow({
      id: `L.${n}`,
      name: `continuous failover of ${n} VMs: a point changing ${changed.length} VMs, applied`,
      what: `point written (its time) to task.synced of that point: the RVMs hold it (lagSeconds of task.synced)`,
      bytes: changed.length * size,
      runs: [lag.lagSeconds],
      machineBusy: round(busyShare(m0, machineCpu()), 2),
      notes: `${lag.blocksRead} blocks read; ${round((eventTime(synced) - written) / 1000, 2)} s after the writer returned`,
    });

    // cut-over: the RVMs hold the newest point; the failover naming the task ends it
    const m1 = machineCpu();
    const published = Date.now();
    await inst.publish('failover', { domain, taskId });
    const end = await inst.events.waitFor(id, ['task.completed', 'task.failed'], 600_000);
    if (end.key !== 'task.completed') throw new Error(`cut-over of ${domain}: ${end.key} ${JSON.stringify(end.event.data)}`);
    const seconds = (end.at - published) / 1000;
    const vms = await inst.platform.listVms({ site: 'recovery', ownerTaskId: taskId });
    const off = vms.filter((v) => v.owner?.kind === 'recovered' && v.powerState !== 'poweredOn').length;
    const on = vms.filter((v) => v.owner?.kind === 'recovered' && v.powerState === 'poweredOn').length;
    if (on !== n || off) throw new Error(`cut-over of ${domain}: ${on} of ${n} VMs powered on`);
    const rss = servicesPeakRss(inst);
    ctx.addRow({
      id: `C.${n}`,
      name: `cut-over of a continuous failover of ${n} VMs`,
      what: 'publish of the failover naming the standing-by task to task.completed; every recovered VM powered on',
      bytes: n * size,
      runs: [seconds],
      peakRssMiB: Object.values(rss),
      machineBusy: round(busyShare(m1, machineCpu()), 2),
      notes: `task ${taskId}; peak RSS ${Object.entries(rss)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')} MiB`,
    });
    await useRehydrators(inst, 0);
    log('deleting the recovered VMs');
    await deleteRecovered(inst, names);
  }
}
