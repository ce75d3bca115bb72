import { Inject, Injectable } from '@nestjs/common';
import pLimit from 'p-limit';
import { Messenger } from '@jss/bus';
import { REPLIES, ReleaseWork } from '@jss/contract';
import { PLATFORM } from '@jss/infra';
import { Platform } from '@jss/platform';
import { RocvaManager, announceDeleted, deleteOwnedVm } from '@jss/temporaries';
import { TaskRecords, checkRelease } from '@jss/tasks';

const DELETE_CONCURRENCY = 8;

/**
 * janitor.release: a task ended (or is failing). Delete its RVMs and Test VMs — and, for a failed
 * task, the recovered VMs it made — then drop its hold on the domain's RocVA, which goes when no
 * task holds it. Idempotent: a redelivered release finds less to delete.
 */
@Injectable()
export class ReleaseUseCase {
  constructor(
    private readonly messenger: Messenger,
    private readonly rocva: RocvaManager,
    private readonly records: TaskRecords,
    @Inject(PLATFORM) private readonly platform: Platform,
  ) {}

  async execute(work: ReleaseWork, traceparent?: string): Promise<void> {
    await this.records.verify(work, checkRelease);
    const cause = { taskId: work.taskId, commandId: work.commandId, traceparent };
    const owned = await this.platform.listVms({ ownerTaskId: work.taskId });
    const doomed = owned.filter(
      (vm) => vm.owner!.kind === 'rvm' || vm.owner!.kind === 'tvm' || (work.removeRecovered && vm.owner!.kind === 'recovered'),
    );
    const limit = pLimit(DELETE_CONCURRENCY);
    await Promise.all(doomed.map((vm) => limit(() => deleteOwnedVm(this.platform, this.messenger, vm, cause))));
    const appliance = await this.rocva.release(work.domain, work.taskId, work.site);
    // a planned failover that did not complete leaves production as it found it
    if (work.powerOn) await Promise.all(work.powerOn.vms.map((vm) => this.platform.powerOn(work.powerOn!.site, vm)));
    if (appliance) await announceDeleted(this.messenger, appliance, cause);
    await this.messenger.send(REPLIES.released, { taskId: work.taskId, commandId: work.commandId }, traceparent);
  }
}
