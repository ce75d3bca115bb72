import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { CloudEvent, FailoverData, REASONS, ReasonedError } from '@jss/contract';
import { PLATFORM } from '@jss/infra';
import { Platform } from '@jss/platform';
import { FailoverFlow, traceparentOf, validateFailover } from '@jss/recovery';
import { ReplicaRepository } from '@jss/replica';
import { TaskStore } from '@jss/tasks';

/** recovery.failover: validate against the replica and the platform, reserve the VMs, start the task. */
@Injectable()
export class FailoverCommand {
  constructor(
    private readonly tasks: TaskStore,
    private readonly replica: ReplicaRepository,
    private readonly flow: FailoverFlow,
    @Inject(PLATFORM) private readonly platform: Platform,
  ) {}

  async execute(command: CloudEvent, data: FailoverData): Promise<void> {
    if (data.taskId || data.dryRun) {
      throw new ReasonedError(REASONS.unsupportedOperation, 'continuous-failover cut-over and dry runs are not available in this version');
    }
    const v = await validateFailover(data, this.replica, this.platform);
    const taskId = await this.tasks.claimCommand(command.id, `task-${randomUUID()}`);
    const busy = await this.tasks.reserveVms({ id: taskId, domain: data.domain, vms: v.vms });
    if (busy) {
      throw new ReasonedError(REASONS.vmBusy, `VM "${busy.vm}" of domain "${data.domain}" is already being recovered by task ${busy.taskId}`);
    }
    const now = new Date().toISOString();
    await this.tasks.create({
      id: taskId,
      commandId: command.id,
      operation: 'failover',
      domain: data.domain,
      state: 'accepted',
      vms: v.vms,
      point: { id: v.point.id, time: v.point.time },
      target: v.target,
      bytesTotal: v.bytesTotal,
      traceparent: traceparentOf(command.traceparent),
      createdAt: now,
      updatedAt: now,
    });
    const task = await this.tasks.get(taskId);
    await this.flow.start(task!, false);
  }
}
