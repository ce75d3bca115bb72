import { Inject, Injectable } from '@nestjs/common';
import pLimit from 'p-limit';
import { Cause, Messenger } from '@jss/bus';
import { EVENTS, PrepareWork, REASONS, REPLIES, ReasonedError, VmEventData } from '@jss/contract';
import { PLATFORM } from '@jss/infra';
import { DomainLocks } from '@jss/locks';
import { Platform, PlatformError, VmInfo } from '@jss/platform';
import { RocvaManager, deleteOwnedVm } from '@jss/temporaries';
import { SeedOutcome, TaskLiveness, TaskRecords, checkPrepare } from '@jss/tasks';
import { DiskSeeder } from './disk-seeder';

/** VMs created at once; the platform serialises what must be serialised. */
export const CREATE_CONCURRENCY = 8;

/**
 * provision.prepare: the domain's RocVA if the operation uses one (shared, created once), and one
 * temporary per VM with a DHCP address and empty disks: an RVM (running, receiving the data) or a
 * Test VM (powered off until its disks are whole). A failback's RVM whose VM's original disks still
 * hold the base point starts from copies of them (DiskSeeder).
 */
@Injectable()
export class PrepareUseCase {
  constructor(
    private readonly messenger: Messenger,
    private readonly rocva: RocvaManager,
    private readonly records: TaskRecords,
    private readonly locks: DomainLocks,
    private readonly tasks: TaskLiveness,
    private readonly seeder: DiskSeeder,
    @Inject(PLATFORM) private readonly platform: Platform,
  ) {}

  async execute(work: PrepareWork, traceparent?: string): Promise<void> {
    await this.records.verify(work, checkPrepare);
    const cause = { taskId: work.taskId, commandId: work.commandId, traceparent };
    let rocva: string | null = null;
    if (work.useRocva) {
      const { vm: appliance, created } = await this.rocva.acquire(work.domain, work.taskId, work);
      rocva = appliance.name;
      if (created) {
        const data = vmEvent(cause, work.domain, appliance, 'rocva');
        await this.messenger.event(EVENTS.applianceCreated, cause, data);
        await this.messenger.event(EVENTS.vmCreated, cause, data);
      }
    }
    const limit = pLimit(CREATE_CONCURRENCY);
    // under a per-chunk lock, like finalize: a redelivered prepare finds what its twin made, or what a crashed one left (takeOver)
    const temps = await this.locks.withLock('prepare', `${work.taskId}.${work.chunk.index}`, () =>
      Promise.all(
        work.vms.map((vm) =>
          limit(async () => {
            const temp = await this.ensureTemporary(work, vm.temp, vm.disks, cause);
            const seeded: SeedOutcome | undefined = vm.seed && (await this.seeder.seed(work.taskId, vm.name, work.site, temp, vm.seed));
            return { temp, seeded };
          }),
        ),
      ),
    );
    await this.messenger.send(
      REPLIES.prepared,
      {
        ...cause,
        rocva,
        chunk: work.chunk,
        temporaries: temps.map(({ temp: t, seeded }, i) => ({
          vm: work.vms[i].name,
          name: t.name,
          ip: t.nics[0]?.ip ?? null,
          disks: t.disks.map(({ path, sizeBytes }) => ({ path, sizeBytes })),
          ...(seeded && { seeded }),
        })),
      },
      traceparent,
    );
  }

  /**
   * Idempotent: a temporary this task already made is reused (redelivered message). The name is this
   * task's (reserved at acceptance), so a temporary of an ended task under it is an orphan — e.g. a
   * prepare of a task cancelled while it ran — and goes, instead of failing this task late.
   */
  private async ensureTemporary(work: PrepareWork, name: string, disks: number[], cause: Cause): Promise<VmInfo> {
    const existing = await this.platform.getVm(work.site, name);
    if (existing?.owner?.taskId === work.taskId) return existing;
    const orphan = existing?.owner && existing.owner.kind !== 'recovered' && !(await this.tasks.isActive(existing.owner.taskId));
    if (existing && orphan) await deleteOwnedVm(this.platform, this.messenger, existing, { ...cause, taskId: existing.owner!.taskId });
    else if (existing)
      throw new ReasonedError(REASONS.vmBusy, `${name} already exists for another task (${existing.owner?.taskId ?? 'not ours'})`);
    const temp = await this.createTemporary(work, name, disks);
    await this.messenger.event(EVENTS.vmCreated, cause, vmEvent(cause, work.domain, temp, work.kind));
    return temp;
  }

  /** A VM of the name being created or deleted by another process (an ended task's): retried, as it will be gone. */
  private async createTemporary(work: PrepareWork, name: string, disks: number[]): Promise<VmInfo> {
    try {
      return await this.platform.createVm({
        name,
        site: work.site,
        cluster: work.cluster,
        datastore: work.datastore,
        nics: [{ network: work.network, ip: 'dhcp' }],
        disks: disks.map((sizeBytes) => ({ sizeBytes })),
        owner: { taskId: work.taskId, kind: work.kind, domain: work.domain },
        powerOn: work.kind === 'rvm',
        takeOver: true,
      });
    } catch (err) {
      if (err instanceof PlatformError && err.code === 'vm-exists') throw new Error(`${err.message}; its name is this task's: retrying`);
      throw err;
    }
  }
}

export function vmEvent(cause: Cause, domain: string, vm: VmInfo, kind: VmEventData['kind']): VmEventData {
  return { taskId: cause.taskId, commandId: cause.commandId, name: vm.name, kind, site: vm.site, domain, ip: vm.nics[0]?.ip ?? null };
}
