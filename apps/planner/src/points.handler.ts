import { Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { AmqpBus } from '@jss/bus';
import { CloudEvent, EVENTS, EXCHANGES, describeIssues, eventDataSchemas } from '@jss/contract';
import { LOGGER } from '@jss/infra';
import { Logger } from '@jss/observability';
import { TaskMonitor } from '@jss/recovery';

/** Domains waiting for one pass; past this, announcements are dropped and the monitor's next check moves them. */
const MAX_PENDING_DOMAINS = 256;

/**
 * point.created, followed by every planner without a durable queue: the tasks waiting for a
 * domain's next point (a continuous failover in standby, a planned failover awaiting its final
 * point) move at once instead of at the task monitor's next check, which stays the backstop for
 * announcements missed or dropped. One pass at a time over the domains announced meanwhile, so a
 * flood of announcements costs one read of the live tasks per pass; a forged one makes the flow
 * look for a newer point that is not there, and nothing moves.
 */
@Injectable()
export class PointsHandler implements OnApplicationBootstrap {
  private readonly pending = new Set<string>();
  private passing = false;

  constructor(
    private readonly bus: AmqpBus,
    private readonly monitor: TaskMonitor,
    @Inject(LOGGER) private readonly log: Logger,
  ) {}

  onApplicationBootstrap(): Promise<void> {
    return this.bus.subscribe(EXCHANGES.events, [EVENTS.pointCreated], (event) => this.onPoint(event));
  }

  private onPoint(event: CloudEvent): void {
    const parsed = eventDataSchemas[EVENTS.pointCreated].safeParse(event.data);
    if (!parsed.success) return this.log.warn({ eventId: event.id, reason: describeIssues(parsed.error) }, 'point.created ignored');
    if (this.pending.size >= MAX_PENDING_DOMAINS) return;
    this.pending.add(parsed.data.domain);
    if (!this.passing) void this.pass();
  }

  private async pass(): Promise<void> {
    this.passing = true;
    try {
      while (this.pending.size > 0) {
        const domains = new Set(this.pending);
        this.pending.clear();
        await this.monitor
          .pointLanded(domains)
          .catch((err: unknown) => this.log.warn({ err, domains: [...domains] }, 'new point not applied; the monitor will'));
      }
    } finally {
      this.passing = false;
    }
  }
}
