import { Inject, Injectable } from '@nestjs/common';
import { Env } from '@jss/config';
import { TIMING } from '@jss/contract';
import { ENV, LOGGER, PeriodicJob, REDIS } from '@jss/infra';
import { Logger, MAX_DOMAIN_SERIES, metrics } from '@jss/observability';
import { Redis } from '@jss/redis';
import { ReplicaRepository } from '@jss/replica';
import { PointEvents, ScanStore } from '@jss/scan';

/** Requests sent by one listing at most (the rest wait for the next). */
const MAX_REQUESTS = 1000;

/**
 * Every SCANNER_LIST_SECONDS (and at start): the object store listed for points that have no
 * verdict — written by a writer that did not announce them, or while no scanner ran — each asked
 * for once (scan.request; a Redis key keeps the scanners from asking twice); and the age of each
 * domain's newest clean point, for the gauge.
 */
@Injectable()
export class ListingScheduler extends PeriodicJob {
  protected override readonly runAtStart = true;

  constructor(
    private readonly repo: ReplicaRepository,
    private readonly scans: ScanStore,
    private readonly events: PointEvents,
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(ENV) private readonly env: Env,
    @Inject(LOGGER) log: Logger,
  ) {
    super('point listing', log);
  }

  protected everyMs() {
    return this.env.SCANNER_LIST_SECONDS * 1000;
  }

  protected async run() {
    const now = Date.now();
    const ages: Array<{ domain: string; age: number }> = [];
    let unscanned = 0;
    let requests = 0;
    const ttl = Math.max(TIMING.scan.requestHoldSeconds, Math.ceil(4 * this.env.SCANNER_LIST_SECONDS));
    for (const domain of await this.repo.listDomains()) {
      if (!(await this.scans.settings(domain)).enabled) continue;
      const points = await this.repo.pointIds(domain);
      const scanned = await this.scans.scannedIds(domain);
      const missing = points.filter((p) => !scanned.has(p.id));
      unscanned += missing.length;
      for (const { id } of missing) {
        if (requests >= MAX_REQUESTS) break;
        if ((await this.redis.set(`scan:requested:${domain}:${id}`, '1', 'EX', ttl, 'NX')) !== 'OK') continue;
        await this.events.requestScan(domain, id);
        requests++;
      }
      if (points.length) ages.push({ domain, age: (now - (await this.newestCleanTime(domain, points, scanned))) / 1000 });
    }
    metrics.pointsUnscanned.set(unscanned);
    metrics.lastCleanPointAge.reset();
    for (const a of ages.sort((x, y) => y.age - x.age).slice(0, MAX_DOMAIN_SERIES))
      metrics.lastCleanPointAge.set({ domain: a.domain }, a.age);
  }

  /** The time of the domain's newest point whose VMs are all clean; without one, of its oldest point. */
  private async newestCleanTime(domain: string, points: Array<{ id: string; time: number }>, scanned: Set<string>): Promise<number> {
    for (const p of [...points].reverse()) {
      if (scanned.has(p.id) && (await this.scans.verdict(domain, p.id))?.verdict === 'clean') return p.time;
    }
    return points[0].time;
  }
}
