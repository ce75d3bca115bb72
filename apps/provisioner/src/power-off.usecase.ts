import { Inject, Injectable } from '@nestjs/common';
import { Messenger } from '@jss/bus';
import { PowerOffWork, REPLIES } from '@jss/contract';
import { PLATFORM } from '@jss/infra';
import { Platform } from '@jss/platform';
import { TaskRecords, checkPowerOff } from '@jss/tasks';

/** provision.power-off: a planned failover's source VMs, off before the final recovery point is taken. */
@Injectable()
export class PowerOffUseCase {
  constructor(
    private readonly messenger: Messenger,
    private readonly records: TaskRecords,
    @Inject(PLATFORM) private readonly platform: Platform,
  ) {}

  async execute(work: PowerOffWork, traceparent?: string): Promise<void> {
    await this.records.verify(work, checkPowerOff);
    await Promise.all(work.vms.map((vm) => this.platform.powerOff(work.site, vm)));
    await this.messenger.send(
      REPLIES.poweredOff,
      { taskId: work.taskId, commandId: work.commandId, at: new Date().toISOString() },
      traceparent,
    );
  }
}
