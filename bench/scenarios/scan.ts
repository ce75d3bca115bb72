// Rows SC.*: one scanner (apps/scanner) on a 2 GiB VM of structured data: the time from a point
// landing to its verdict for a 1% and a 30% change, its throughput, its peak RSS, and a failover of
// the bench image while a scan runs against one without.
import path from 'node:path';
import { EVENTS, QUEUES } from '@jss/contract';
import { Manifest } from '@jss/replica';
import { PointEvents } from '@jss/scan';
import { metricValue, waitUntil } from '@jss/testing';
import { avg, BenchContext, ready, round, Scenario } from '../lib/context';
import { median, peakRssMiB, processCpuSeconds } from '../lib/measure';
import { deleteRecovered, timedFailover, useRehydrators } from '../lib/services';

export const scenario: Scenario = { name: 'scan', run };

const DOMAIN = 'scan';

async function run(ctx: BenchContext): Promise<void> {
  const { inst, config, log } = ctx;
  // no listing during the rows (it would find a point before it is announced): each point is announced as it lands
  await inst.add({ scanner: 1 }, { SCANNER_LIST_SECONDS: '3600' });
  const scanner = inst.services.find((s) => s.name.startsWith('scanner'))!;
  const events = new PointEvents(inst.bus, '/bench');
  const scanned = (p: Manifest) => inst.events.all.find((r) => r.key === EVENTS.pointScanned && r.event.subject === p.id);
  /** Announces a point (it lands now); resolves with the seconds to its point.scanned. */
  const verdictSeconds = async (p: Manifest) => {
    const landed = Date.now();
    await events.created(p);
    await waitUntil(`point.scanned of ${p.id}`, () => !!scanned(p), 600_000, 10);
    return (scanned(p)!.at - landed) / 1000;
  };

  log(`scan: a ${config.size / 2 ** 30} GiB VM of structured data, its baseline point scanned`);
  const source = { sizeBytes: config.size, seed: config.seed, content: 'structured' as const };
  await verdictSeconds(await inst.writer.writePoint(DOMAIN, [{ name: 'vm1', source }]));

  for (const [percent, content] of [
    [1, 'structured'],
    [30, 'random'],
  ] as const) {
    const runs: number[] = [];
    const bytes: number[] = [];
    const cpu: number[] = [];
    const scanSeconds: number[] = [];
    for (let rep = 0; rep < config.serviceReps; rep++) {
      const point = await inst.writer.snapshot(DOMAIN, { changePercent: percent, seed: config.seed + 100 * percent + rep, content });
      await ready(path.join(ctx.objects, DOMAIN)); // the scan's input in the page cache, as for the failover rows
      const [bytes0, took0, cpu0] = [
        await metricValue(scanner, 'jss_scanned_bytes_total'),
        await metricValue(scanner, 'jss_scan_duration_seconds_sum'),
        processCpuSeconds(scanner.child.pid!),
      ];
      runs.push(await verdictSeconds(point));
      bytes.push((await metricValue(scanner, 'jss_scanned_bytes_total')) - bytes0);
      scanSeconds.push((await metricValue(scanner, 'jss_scan_duration_seconds_sum')) - took0);
      cpu.push(processCpuSeconds(scanner.child.pid!) - cpu0);
    }
    const read = median(bytes);
    ctx.addRow({
      id: `SC.${percent}`,
      name: `scan verdict, ${percent}% changed (${content}), 1 scanner`,
      what: `a point with ${percent}% of the VM's blocks changed: its manifest written (landed) to point.scanned received (announced with point.created at once)`,
      bytes: read,
      runs,
      cpuSecondsPerGiB: round(median(cpu) / (read / 2 ** 30), 2),
      peakRssMiB: [round(peakRssMiB(scanner.child.pid!), 1)],
      notes: `${round(read / 2 ** 20, 0)} MiB of changed blocks read; the scan itself ${round(median(scanSeconds), 2)} s (jss_scan_duration_seconds): ${round(read / median(scanSeconds) / 1e6, 0)} MB/s of changed data; ${round(avg(runs) - median(scanSeconds), 2)} s for the messages around it`,
    });
  }

  log('scan: a failover of the bench image, alone and while the scanner scans a 30% change (the attack a last-clean failover follows)');
  const alone: number[] = [];
  const during: number[] = [];
  for (let rep = 0; rep < config.serviceReps; rep++) {
    for (const busy of [false, true]) {
      // the same write before either (30% of the VM turned random, flushed by ready): announced with the failover, or after it
      const seed = config.seed + 1000 + 2 * rep + Number(busy);
      const point = await inst.writer.snapshot(DOMAIN, { changePercent: 30, seed, content: 'random' });
      await useRehydrators(inst, 1);
      await ready(path.join(ctx.objects, 'bench'));
      if (busy) await events.created(point);
      const started = Date.now();
      const r = await timedFailover(inst, ctx.trace, { domain: 'bench', recoveryPoint: ctx.point.id }, 600_000);
      (busy ? during : alone).push(r.e2eSeconds);
      if (!busy) await events.created(point);
      await waitUntil(`point.scanned of ${point.id}`, () => !!scanned(point), 600_000, 10);
      const verdictAt = (scanned(point)!.at - started) / 1000;
      if (busy) log(`failover ${r.e2eSeconds.toFixed(2)} s; the scan's verdict ${verdictAt.toFixed(2)} s after it was published`);
      await deleteRecovered(inst, ['vm1']);
    }
  }
  await useRehydrators(inst, 0);
  const ratio = round(median(during) / median(alone), 2);
  ctx.addRow({
    id: 'SC.f0',
    name: 'failover, 1 rehydrator, scanner idle: end to end',
    what: 'as 3.1e, with a scanner running and idle; interleaved with SC.f1',
    bytes: config.size,
    runs: alone,
  });
  ctx.addRow({
    id: 'SC.f1',
    name: 'failover, 1 rehydrator, while a 30% change is scanned: end to end',
    what: 'as SC.f0, a point with 30% of the scan VM turned random announced as the failover is published',
    bytes: config.size,
    runs: during,
    notes: `${ratio}x the failover with the scanner idle (target at most 1.1x)`,
  });
  ctx.extra.scan = { scannerPeakRssMiB: round(peakRssMiB(scanner.child.pid!), 1), failoverWhileScanningRatio: ratio };
  if ((await inst.queueStat(QUEUES.scannerPoints)).messageCount) log('scan: points still waiting in the scanner queue');
  await inst.stopServices('scanner');
}
