import { Inject, Injectable } from '@nestjs/common';
import pLimit from 'p-limit';
import { Cause, Messenger } from '@jss/bus';
import { REPLIES, ReleaseWork } from '@jss/contract';
import { Env } from '@jss/config';
import { ENV, PLATFORM } from '@jss/infra';
import { Platform, VmInfo } from '@jss/platform';
import { PendingDeletions, RocvaManager, announceDeleted } from '@jss/temporaries';
import { TaskRecords, checkRelease } from '@jss/tasks';

const DELETE_CONCURRENCY = 8;

/**
 * janitor.release: a task ended (or is failing). Delete its RVMs and Test VMs — and, for a failed
 * task, the recovered VMs it made — then drop its hold on the domain's RocVA, which goes when no
 * task holds it. Idempotent: a redelivered release finds less to delete, and still announces what
 * an earlier attempt deleted without getting to say so (each deletion is noted before it is made).
 */
@Injectable()
export class ReleaseUseCase {
  constructor(
    private readonly messenger: Messenger,
    private readonly rocva: RocvaManager,
    private readonly records: TaskRecords,
    private readonly pending: PendingDeletions,
    @Inject(PLATFORM) private readonly platform: Platform,
    @Inject(ENV) private readonly env: Pick<Env, 'JSS_TEST_CRASH_AT'>,
  ) {}

  async execute(work: ReleaseWork, traceparent?: string): Promise<void> {
    await this.records.verify(work, checkRelease);
    const cause = { taskId: work.taskId, commandId: work.commandId, traceparent };
    const owned = await this.platform.listVms({ ownerTaskId: work.taskId });
    const doomed = owned.filter(
      (vm) => vm.owner!.kind === 'rvm' || vm.owner!.kind === 'tvm' || (work.removeRecovered && vm.owner!.kind === 'recovered'),
    );
    await this.pending.note(work.taskId, doomed);
    const limit = pLimit(DELETE_CONCURRENCY);
    await Promise.all(doomed.map((vm) => limit(() => this.platform.deleteVm(vm.site, vm.name))));
    await this.rocva.release(work.domain, work.taskId, work.site, (appliance) => this.pending.note(work.taskId, [appliance]));
    // tests only (JSS_TEST_CRASH_AT): killed between the deletions and their announcements
    if (this.env.JSS_TEST_CRASH_AT === 'release-before-announce') process.kill(process.pid, 'SIGKILL');
    await this.announceGone(cause);
    // a planned failover that did not complete leaves production as it found it
    if (work.powerOn) await Promise.all(work.powerOn.vms.map((vm) => this.platform.powerOn(work.powerOn!.site, vm)));
    await this.messenger.send(REPLIES.released, { taskId: work.taskId, commandId: work.commandId }, traceparent);
  }

  /** vm.deleted (appliance.deleted) for each noted VM that is gone, by this attempt or by one that failed before saying so. */
  private async announceGone(cause: Cause): Promise<void> {
    const limit = pLimit(DELETE_CONCURRENCY);
    const announce = async (vm: VmInfo) => {
      if ((await this.platform.getVm(vm.site, vm.name))?.createdAt === vm.createdAt) return;
      await announceDeleted(this.messenger, vm, cause);
      await this.pending.announced(cause.taskId, vm);
    };
    const noted = await this.pending.of(cause.taskId);
    // the appliance last, as it goes last: a consumer that sees appliance.deleted has seen its task's temporaries go
    await Promise.all(noted.filter((vm) => vm.owner?.kind !== 'rocva').map((vm) => limit(() => announce(vm))));
    await Promise.all(noted.filter((vm) => vm.owner?.kind === 'rocva').map(announce));
  }
}
