import type { RtoForecast } from '@jss/contract';
import { DrillStore, LastDrill } from '@jss/drills';
import { PROTECTED_SITE } from '@jss/recovery';
import { PlanStore, planStepsOf, waitSecondsOf } from '@jss/recovery-plans';
import { Manifest, ReplicaRepository, blockLengthOf } from '@jss/replica';
import { forecastRto } from './forecast';
import { ProtectionSchedule, ProtectionStore } from './protection-store';

/** A domain as `jssctl domains` and the planner's gauges show it. */
export interface DomainOverview {
  domain: string;
  newestPoint: { id: string; time: string; site: string; ageSeconds: number } | null;
  rpoSeconds: number | null;
  /** the newest point is younger than the RPO objective (null: no objective or no point) */
  rpoMet: boolean | null;
  /** where its VMs run now (the site of the last failover, cut-over or failback that completed; else home) */
  runsAt: string;
  protection: (Pick<ProtectionSchedule, 'site' | 'everySeconds' | 'since' | 'lastPointAt' | 'lastError'> & { late: boolean }) | null;
  lastDrill: LastDrill | null;
  forecast: NonNullable<RtoForecast>;
  rtoSeconds: number | null;
  rtoMet: boolean | null;
}

/** What a forecast needs of a point: its VMs and non-zero bytes (kept per point id: manifests never change). */
interface PointFigures {
  id: string;
  time: string;
  site: string;
  vms: string[];
  bytes: number;
}

/** The non-zero bytes of the given VMs at a point: what a recovery of them reads and writes. */
export function nonZeroBytes(point: Manifest, vms?: readonly string[]): number {
  let bytes = 0;
  for (const vm of point.vms.filter((v) => !vms || vms.includes(v.name)))
    for (const d of vm.disks) d.blocks.forEach((b, i) => (bytes += b === null ? 0 : blockLengthOf(d.sizeBytes, point.blockSize, i)));
  return bytes;
}

/** Every protected domain with its newest point against its RPO, where it runs, its protection, last drill and forecast RTO. */
export class DomainOverviews {
  private readonly figures = new Map<string, PointFigures>();

  constructor(
    private readonly replica: ReplicaRepository,
    private readonly protection: ProtectionStore,
    private readonly drills: DrillStore,
    private readonly plans: PlanStore,
  ) {}

  async list(now = Date.now()): Promise<DomainOverview[]> {
    const samples = await this.protection.samples();
    const domains = await this.replica.listDomains();
    return Promise.all(domains.map((d) => this.one(d, samples, now)));
  }

  private async one(domain: string, samples: Awaited<ReturnType<ProtectionStore['samples']>>, now: number): Promise<DomainOverview> {
    const [point, objectives, placement, schedule, lastDrill, plan] = await Promise.all([
      this.newest(domain),
      this.protection.objectives(domain),
      this.protection.placement(domain),
      this.protection.get(domain),
      this.drills.last(domain),
      this.plans.get(domain),
    ]);
    const vms = point?.vms ?? [];
    const waitSeconds = plan ? waitSecondsOf(planStepsOf(plan.plan, vms)) : 0;
    const forecast = forecastRto({ bytes: point?.bytes ?? 0, vms: vms.length, waitSeconds }, samples);
    const ageSeconds = point ? Math.max(0, (now - Date.parse(point.time)) / 1000) : null;
    const { rpoSeconds, rtoSeconds } = objectives;
    return {
      domain,
      newestPoint: point && { id: point.id, time: point.time, site: point.site, ageSeconds: Math.round(ageSeconds!) },
      rpoSeconds,
      rpoMet: rpoSeconds === null || ageSeconds === null ? null : ageSeconds <= rpoSeconds,
      runsAt: placement?.site ?? PROTECTED_SITE,
      protection: schedule && {
        site: schedule.site,
        everySeconds: schedule.everySeconds,
        since: schedule.since,
        lastPointAt: schedule.lastPointAt,
        lastError: schedule.lastError,
        // two intervals without a point: the replication side is down or failing
        late: now - Date.parse(schedule.lastPointAt ?? schedule.since) > 2 * schedule.everySeconds * 1000,
      },
      lastDrill,
      forecast,
      rtoSeconds,
      rtoMet: rtoSeconds === null || !point ? null : forecast.seconds <= rtoSeconds,
    };
  }

  private async newest(domain: string): Promise<PointFigures | null> {
    const newest = await this.replica.newestPointId(domain);
    if (!newest) return null;
    const known = this.figures.get(domain);
    if (known?.id === newest) return known;
    const point = await this.replica.getPoint(domain, newest);
    if (!point) return null;
    const figures = { id: point.id, time: point.time, site: point.site, vms: point.vms.map((v) => v.name), bytes: nonZeroBytes(point) };
    this.figures.set(domain, figures);
    return figures;
  }
}
