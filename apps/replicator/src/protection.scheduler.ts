import { Inject, Injectable } from '@nestjs/common';
import { LOGGER, PeriodicJob } from '@jss/infra';
import { Logger } from '@jss/observability';
import { ProtectionStore } from '@jss/protection';
import { Protection } from './protection';

/**
 * The protection schedules (recovery.reprotect, a failover with reprotect, a failback's return
 * home): each due time is claimed by one replicator (a Redis script moves the schedule on), which
 * takes a point of the domain's VMs at the schedule's site. A replicator that is down takes none:
 * the points are late, and the domain's RPO gauge and JssRpoBreached say so.
 */
@Injectable()
export class ProtectionScheduler extends PeriodicJob {
  protected override readonly runAtStart = true;

  constructor(
    private readonly schedules: ProtectionStore,
    private readonly protection: Protection,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    super('protection schedules', logger);
  }

  protected everyMs() {
    return 1000;
  }

  protected async run() {
    const now = Date.now();
    for (const s of await this.schedules.all()) {
      if (s.nextDue > now) continue;
      // the next due time from now: a replicator that was down takes one point, not every one it missed
      if (!(await this.schedules.claim(s, now + s.everySeconds * 1000))) continue;
      try {
        const point = await this.protection.replicate(s.domain, s.site);
        await this.schedules.recordPoint(s.domain, point.id, point.time);
        this.logger.info({ domain: s.domain, site: s.site, pointId: point.id }, 'scheduled recovery point taken');
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        await this.schedules.recordError(s.domain, message);
        this.logger.warn({ domain: s.domain, site: s.site, err: message }, 'scheduled recovery point failed; retried when next due');
      }
    }
  }
}
