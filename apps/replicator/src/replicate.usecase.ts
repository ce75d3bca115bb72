import { Injectable } from '@nestjs/common';
import { Messenger } from '@jss/bus';
import { REPLIES, ReplicateWork } from '@jss/contract';
import { PointEvents } from '@jss/scan';
import { TaskRecords, checkReplicate } from '@jss/tasks';
import { Protection } from './protection';

/** replicate.request: a recovery point of the domain's VMs at a site, taken now (planned failover's final point), announced with point.created. */
@Injectable()
export class ReplicateUseCase {
  constructor(
    private readonly messenger: Messenger,
    private readonly protection: Protection,
    private readonly records: TaskRecords,
    private readonly points: PointEvents,
  ) {}

  async execute(work: ReplicateWork, traceparent?: string): Promise<void> {
    await this.records.verify(work, checkReplicate);
    const point = await this.protection.replicate(work.domain, work.site);
    await this.points.created(point); // the scanners scan it now
    const reply = { taskId: work.taskId, commandId: work.commandId, pointId: point.id, time: point.time };
    await this.messenger.send(REPLIES.replicated, reply, traceparent);
  }
}
