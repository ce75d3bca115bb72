import { Inject, Injectable } from '@nestjs/common';
import { LOGGER, PeriodicJob } from '@jss/infra';
import { Logger, MAX_DOMAIN_SERIES, metrics } from '@jss/observability';
import { DomainOverview, DomainOverviews } from '@jss/protection';

/** How far past its objectives a domain is (1 = at an objective); without objectives, 0. */
const lateness = (d: DomainOverview) =>
  Math.max(
    d.rpoSeconds && d.newestPoint ? d.newestPoint.ageSeconds / d.rpoSeconds : 0,
    d.rtoSeconds ? d.forecast.seconds / d.rtoSeconds : 0,
  );

/**
 * The domains' RPO and RTO gauges: each domain's newest point's age and forecast RTO beside its
 * objectives, for the MAX_DOMAIN_SERIES domains furthest past them (a bounded number of series),
 * and how many domains are past each objective. Every planner computes the same.
 */
@Injectable()
export class DomainsScheduler extends PeriodicJob {
  constructor(
    private readonly overviews: DomainOverviews,
    @Inject(LOGGER) log: Logger,
  ) {
    super('domain objectives', log);
  }

  protected everyMs() {
    return 5000;
  }

  protected async run() {
    const all = await this.overviews.list();
    metrics.domainsRpoBreached.set(all.filter((d) => d.rpoMet === false).length);
    metrics.domainsRtoAtRisk.set(all.filter((d) => d.rtoMet === false).length);
    const shown = all.sort((a, b) => lateness(b) - lateness(a) || (b.newestPoint?.ageSeconds ?? 0) - (a.newestPoint?.ageSeconds ?? 0));
    for (const g of [metrics.domainPointAge, metrics.domainRpoObjective, metrics.domainRtoForecast, metrics.domainRtoObjective]) g.reset();
    for (const d of shown.slice(0, MAX_DOMAIN_SERIES)) {
      const domain = d.domain;
      if (d.newestPoint) metrics.domainPointAge.set({ domain }, d.newestPoint.ageSeconds);
      if (d.rpoSeconds !== null) metrics.domainRpoObjective.set({ domain }, d.rpoSeconds);
      metrics.domainRtoForecast.set({ domain }, d.forecast.seconds);
      if (d.rtoSeconds !== null) metrics.domainRtoObjective.set({ domain }, d.rtoSeconds);
    }
  }
}
