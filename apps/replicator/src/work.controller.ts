import { AmqpContext, Messenger, MessageController, OnWork } from '@jss/bus';
import { REPLIES, ReplicateWork, WORK } from '@jss/contract';
import { PointEvents } from '@jss/scan';
import { TaskRecords, checkReplicate } from '@jss/tasks';
import { WorkRunner } from '@jss/workers';
import { Protection } from './protection';

/** replicate.request: a recovery point of the domain's VMs at a site, taken now (planned failover's final point), announced with point.created. */
@MessageController()
export class WorkController {
  constructor(
    private readonly runner: WorkRunner,
    private readonly messenger: Messenger,
    private readonly protection: Protection,
    private readonly records: TaskRecords,
    private readonly points: PointEvents,
  ) {}

  @OnWork(WORK.replicate)
  onReplicate(work: ReplicateWork, ctx: AmqpContext) {
    return this.runner.run('replicate', work, ctx.traceparent, async () => {
      await this.records.verify(work, checkReplicate);
      const point = await this.protection.replicate(work.domain, work.site);
      await this.points.created(point); // the scanners scan it now
      const reply = { taskId: work.taskId, commandId: work.commandId, pointId: point.id, time: point.time };
      await this.messenger.send(REPLIES.replicated, reply, ctx.traceparent);
    });
  }
}
