// Rows 9.x: the RTO forecast against measured failovers (2 GiB domain, 1,000-VM domain), and a
// delta failback of the 2 GiB VM after a planned failover with re-protection and 1% changed.
import { randomBytes } from 'node:crypto';
import { open } from 'node:fs/promises';
import { Protection } from '../../apps/replicator/src/protection';
import { ProtectionStore } from '@jss/protection';
import { sha256File, waitUntil } from '@jss/testing';
import { BenchContext, fmtBytes, ready, round, Scenario } from '../lib/context';
import { MiB } from '../lib/measure';
import { deleteRecovered, timedFailover, useRehydrators } from '../lib/services';

export const scenario: Scenario = { name: 'protection', run };

const FLEET = 'fleet-1000';
const FLEET_NAMES = Array.from({ length: 1000 }, (_, i) => `vm-${String(i).padStart(5, '0')}`);

async function run(ctx: BenchContext): Promise<void> {
  if (!ctx.config.skip.has('forecast')) await forecastRows(ctx);
  if (!ctx.config.skip.has('failback')) await failbackRow(ctx);
}

/**
 * A dry run's forecast, then the failover it forecast, measured: its RTO (task.report: command →
 * last VM powered on, what the forecast is of) and end to end (publish → task.completed).
 */
async function forecastThenMeasure(ctx: BenchContext, data: Record<string, unknown>, names: string[]) {
  const { inst } = ctx;
  const dry = await inst.run('failover', { ...data, dryRun: true });
  const forecast = dry.end.event.data.forecast as { seconds: number; basis: string; samples: number };
  await ready(ctx.objects);
  const r = await timedFailover(inst, ctx.trace, data, 1_800_000);
  await deleteRecovered(inst, names);
  const report = await inst.events.waitFor(inst.events.all.find((e) => e.event.subject === r.taskId)!.event.data.commandId as string, [
    'task.report',
  ]);
  return { forecast, rto: report.event.data.rtoSeconds as number, e2e: r.e2eSeconds };
}

async function forecastRows(ctx: BenchContext): Promise<void> {
  const { inst, config, log, point } = ctx;
  if (!(await inst.replica.getDomain(FLEET))) {
    log(`writing a 1,000-VM domain (${fmtBytes(config.fleetVmSize)} each)`);
    await inst.writer.writePoint(
      FLEET,
      FLEET_NAMES.map((name, i) => ({ name, source: { sizeBytes: config.fleetVmSize, seed: i } })),
    );
  }
  if (!(await inst.platform.getNetwork('fleet-net')))
    await inst.sim.addNetwork({ name: 'fleet-net', site: 'recovery', dhcp: true, poolSize: 2010 });
  await useRehydrators(inst, 2);
  // forecasts from this scenario's failovers only: earlier rows ran with injected store latency
  await inst.redis.del('stats:recoveries');
  const domains = [
    { id: '9.1', name: `2 GiB domain (1 VM)`, data: { domain: 'bench', recoveryPoint: point.id }, names: ['vm1'], bytes: config.size },
    {
      id: '9.2',
      name: '1,000-VM domain',
      data: { domain: FLEET, target: { network: 'fleet-net' } },
      names: FLEET_NAMES,
      bytes: 1000 * config.fleetVmSize,
    },
  ];
  const before: Record<string, string> = {};
  // two rounds of each before the rows: the forecast rests on what this installation measured
  for (const round_ of [1, 2]) {
    for (const d of domains) {
      log(`failover ${round_} of 2 before the rows (measured for the forecasts): ${d.name}`);
      const r = await forecastThenMeasure(ctx, d.data, d.names);
      if (round_ === 1) before[d.id] = `${r.forecast.seconds}s (RTO ${r.rto}s)`;
    }
  }
  for (const d of domains) {
    const runs: Array<{ forecast: number; rto: number; e2e: number }> = [];
    for (let rep = 0; rep < config.serviceReps; rep++) {
      log(`RTO forecast, then the failover: ${d.name} (${rep + 1}/${config.serviceReps})`);
      const { forecast, rto, e2e } = await forecastThenMeasure(ctx, d.data, d.names);
      runs.push({ forecast: forecast.seconds, rto, e2e });
    }
    const ratios = runs.map((x) => round(x.forecast / x.rto, 2));
    ctx.addRow({
      id: d.id,
      name: `RTO forecast vs failover, ${d.name}, 2 rehydrators`,
      what: 'the dry run forecast (task.planned.forecast) just before each failover, against its RTO (task.report: command → last VM powered on); seconds: the RTOs',
      bytes: d.bytes,
      runs: runs.map((x) => x.rto),
      notes:
        `forecast/RTO ${runs.map((x, i) => `${x.forecast}s/${round(x.rto, 2)}s = ${ratios[i]}`).join(', ')} ` +
        `(end to end ${runs.map((x) => round(x.e2e, 2)).join(', ')} s); before any measured recovery the defaults said ${before[d.id]}`,
    });
  }
  await useRehydrators(inst, 0);
}

/** Planned failover with reprotect, 1% of the 2 GiB VM changed at the recovery site, a scheduled point, then the failback. */
async function failbackRow(ctx: BenchContext): Promise<void> {
  const { inst, config, log } = ctx;
  const domain = 'bench-fb';
  const vm = 'fbvm';
  await inst.add({ replicator: 1 });
  await useRehydrators(inst, 1);
  const protection = new Protection(inst.platform, inst.writer, inst.replica);
  log('failback: the bench image as a protected VM at the primary site, replicated');
  await protection.protect(domain, [{ name: vm, source: { file: ctx.image } }]);
  await inst.run('domain-set', { domain, rpoSeconds: 15 });
  const planned = await inst.run('planned-failover', { domain, reprotect: true });
  if (planned.end.key !== 'task.completed')
    throw new Error(`planned failover: ${planned.end.key} ${JSON.stringify(planned.end.event.data)}`);
  const file = inst.platform.diskFile((await inst.platform.getVm('recovery', vm))!.disks[0].path);
  const blocks = Math.round(config.size / MiB / 100);
  const fh = await open(file, 'r+');
  for (let i = 0; i < blocks; i++) await fh.write(randomBytes(MiB), 0, MiB, ((i * 101 + 7) % (config.size / MiB)) * MiB);
  await fh.sync();
  await fh.close();
  const changedAt = Date.now();
  const schedules = new ProtectionStore(inst.redis);
  await waitUntil(
    'a scheduled point after the change',
    async () => {
      const p = await inst.replica.resolvePoint(domain);
      return p?.site === 'recovery' && Date.parse(p.time) > changedAt && (await schedules.get(domain))?.lastPointId === p.id;
    },
    600_000,
    200,
  );
  const expected = await sha256File(file);
  await ready(ctx.objects);
  log(`failback of the 2 GiB VM, ${blocks} blocks changed`);
  const started = Date.now();
  const { id, end } = await inst.run('failback', { domain });
  if (end.key !== 'task.completed') throw new Error(`failback: ${end.key} ${JSON.stringify(end.event.data)}`);
  const seconds = (Date.now() - started) / 1000;
  const report = inst.events.of(id, 'task.report')[0].event.data as { vms: Array<Record<string, number | object>> };
  const r = report.vms[0] as {
    bytesRead: number;
    bytesWritten: number;
    blocksRead: number;
    blocksSkippedUnchanged: number;
    startedFrom: object;
  };
  const home = await sha256File(inst.platform.diskFile((await inst.platform.getVm('primary', vm))!.disks[0].path));
  if (home !== expected) throw new Error('the failed-back disk differs from the recovery site’s');
  const taskId = end.event.subject!;
  const rvm = inst.events.of(id, 'vm.created').find((e) => e.event.data.kind === 'rvm');
  const copySeconds = rvm ? (Math.min(...ctx.trace.of(taskId, 'reply.prepared')) - rvm.at) / 1000 : NaN;
  ctx.extra.failback = { report: r, copySeconds: round(copySeconds, 2), seconds: round(seconds, 2) };
  ctx.addRow({
    id: '9.3',
    name: `delta failback of a ${fmtBytes(config.size)} VM, ${blocks} blocks changed at the recovery site`,
    what: 'failback publish → task.completed, after a planned failover with reprotect and a scheduled point of the changes; disk verified',
    bytes: config.size,
    runs: [seconds],
    notes:
      `read ${fmtBytes(r.bytesRead)} and wrote ${fmtBytes(r.bytesWritten)} (${round((100 * (r.bytesRead + r.bytesWritten)) / config.size, 2)}% of the VM), ` +
      `${r.blocksRead} blocks read, ${r.blocksSkippedUnchanged} skipped as unchanged; the RVM's copy of the original disk ~${round(copySeconds, 1)} s ` +
      `(a local copy of its allocated blocks: no reflinks on this file system)`,
  });
  await useRehydrators(inst, 0);
  await inst.stopServices('replicator');
}
