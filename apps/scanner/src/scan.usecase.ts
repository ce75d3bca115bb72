import { Inject, Injectable } from '@nestjs/common';
import { AmqpBus, DeadLetter } from '@jss/bus';
import { NAME_PATTERN } from '@jss/contract';
import { LOGGER } from '@jss/infra';
import { Logger, metrics } from '@jss/observability';
import { POINT_ID_PATTERN } from '@jss/replica';
import { PointEvents, PointScanner } from '@jss/scan';
import { RehydrationGate } from './rehydration-gate';

const clip = (s: string) => s.slice(0, 80);

/**
 * Scans one recovery point (and, first, any ancestor that was not), stores its verdict, then
 * publishes point.scanned (and point.suspicious); the message is acked only after that. A point
 * scanned before is not scanned again: its stored verdict is published again, under the same event id.
 */
@Injectable()
export class ScanUseCase {
  constructor(
    private readonly scanner: PointScanner,
    private readonly events: PointEvents,
    private readonly bus: AmqpBus,
    private readonly gate: RehydrationGate,
    @Inject(LOGGER) private readonly log: Logger,
  ) {}

  async execute(domain: string, pointId: string): Promise<void> {
    if (!NAME_PATTERN.test(domain) || !POINT_ID_PATTERN.test(pointId)) {
      throw new DeadLetter(`not a recovery point: domain "${clip(domain)}", point "${clip(pointId)}"`);
    }
    const log = this.log.child({ domain, pointId });
    const started = performance.now();
    const result = await this.scanner.scan(domain, pointId, { signal: this.bus.stopping, beforeBlock: this.gate.turn() });
    if ('skipped' in result) return log.info({ skipped: result.skipped }, 'point not scanned');
    for (const { record, written, bytesRead, blocksRead } of result.scanned) {
      if (written) {
        metrics.pointsScanned.inc({ verdict: record.verdict });
        metrics.scannedBytes.inc(bytesRead);
        const vms = record.vms.map((v) => ({ vm: v.name, verdict: v.verdict, reason: v.reason, ...v.figures }));
        const at = { pointId: record.pointId, verdict: record.verdict, blocksRead, bytesRead, vms };
        if (record.verdict === 'suspicious') log.warn(at, 'point scanned: suspicious');
        else log.info(at, 'point scanned');
      }
      await this.events.scanned(record);
    }
    if (result.scanned.some((s) => s.written)) metrics.scanDuration.observe((performance.now() - started) / 1000);
  }
}
