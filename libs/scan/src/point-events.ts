import { AmqpBus } from '@jss/bus';
import { EVENTS, EXCHANGES, EventDataMap, SCAN_REQUEST, cloudEvent, eventType } from '@jss/contract';
import type { Manifest } from '@jss/replica';
import type { VerdictRecord } from './verdict';

type PointEvent = typeof EVENTS.pointCreated | typeof EVENTS.pointScanned | typeof EVENTS.pointSuspicious;

/**
 * The events of recovery points on jss.events (subject: the point id; no task, no command) and the
 * scan requests on jss.internal. Each event's id is fixed by its point, so that one published again
 * (a redelivered scan, a writer that retries) is the same event to a consumer that dedupes by id.
 */
export class PointEvents {
  constructor(
    private readonly bus: AmqpBus,
    private readonly source: string,
  ) {}

  /** A writer announces a point it wrote: the scanners scan it. */
  created(m: Manifest): Promise<void> {
    return this.publish(EVENTS.pointCreated, m.domain, m.id, {
      domain: m.domain,
      pointId: m.id,
      time: m.time,
      parent: m.parent,
      site: m.site,
      vms: m.vms.map((v) => v.name),
    });
  }

  /** point.scanned, and point.suspicious as well for a suspicious point. */
  async scanned(r: VerdictRecord): Promise<void> {
    const data = { domain: r.domain, pointId: r.pointId, time: r.time, verdict: r.verdict, scannedAt: r.scannedAt, vms: r.vms };
    await this.publish(EVENTS.pointScanned, r.domain, r.pointId, data);
    if (r.verdict === 'suspicious') await this.publish(EVENTS.pointSuspicious, r.domain, r.pointId, data);
  }

  /** Asks a scanner to scan a point now (idempotent: a scanned point is only announced again). */
  async requestScan(domain: string, pointId: string): Promise<void> {
    const event = cloudEvent({
      type: `io.jss.internal.${SCAN_REQUEST.key}`,
      source: this.source,
      subject: pointId,
      data: { domain, pointId },
    });
    await this.bus.publish(EXCHANGES.internal, SCAN_REQUEST.key, event);
  }

  private async publish<K extends PointEvent>(name: K, domain: string, pointId: string, data: EventDataMap[K]): Promise<void> {
    const event = cloudEvent({ id: `${name}/${domain}/${pointId}`, type: eventType(name), source: this.source, subject: pointId, data });
    await this.bus.publish(EXCHANGES.events, name, event);
  }
}
