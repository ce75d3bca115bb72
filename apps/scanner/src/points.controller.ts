import { Ctx, EventPattern } from '@nestjs/microservices';
import { AmqpContext, DeadLetter, MessageController, OnMessage } from '@jss/bus';
import { EVENTS, SCAN_REQUEST, ScanRequest, describeIssues, eventDataSchemas } from '@jss/contract';
import { ScanUseCase } from './scan.usecase';

/**
 * jss.scanner.points: competing consumers, one point at a time per process. A writer's
 * point.created (a public event: checked here, the transport checks only internal messages) and
 * the scan.request of a listing or of the planner lead to the same scan.
 */
@MessageController()
export class PointsController {
  constructor(private readonly scan: ScanUseCase) {}

  @EventPattern(EVENTS.pointCreated)
  onCreated(@Ctx() ctx: AmqpContext) {
    const parsed = eventDataSchemas[EVENTS.pointCreated].safeParse(ctx.event.data);
    if (!parsed.success) throw new DeadLetter(`invalid ${EVENTS.pointCreated}: ${describeIssues(parsed.error)}`);
    return this.scan.execute(parsed.data.domain, parsed.data.pointId);
  }

  @OnMessage(SCAN_REQUEST)
  onRequest(request: ScanRequest) {
    return this.scan.execute(request.domain, request.pointId);
  }
}
