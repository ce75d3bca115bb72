import { Inject, Injectable } from '@nestjs/common';
import pLimit from 'p-limit';
import { Messenger } from '@jss/bus';
import { EVENTS, PrepareWork, REASONS, REPLIES, ReasonedError, VmEventData } from '@jss/contract';
import { PLATFORM } from '@jss/infra';
import { Platform, VmInfo, temporaryName } from '@jss/platform';
import { RocvaManager } from '@jss/recovery';

/** VMs created at once; the platform serialises what must be serialised. */
export const CREATE_CONCURRENCY = 8;

/** provision.prepare: the domain's RocVA (shared, created once) and one RVM per VM with a DHCP address. */
@Injectable()
export class PrepareHandler {
  constructor(
    private readonly messenger: Messenger,
    private readonly rocva: RocvaManager,
    @Inject(PLATFORM) private readonly platform: Platform,
  ) {}

  async execute(work: PrepareWork, traceparent?: string): Promise<void> {
    const cause = { taskId: work.taskId, commandId: work.commandId, traceparent };
    const { vm: appliance, created } = await this.rocva.acquire(work.domain, work.taskId, work);
    if (created) {
      const data = this.vmEvent(work, appliance, 'rocva');
      await this.messenger.event(EVENTS.applianceCreated, cause, data);
      await this.messenger.event(EVENTS.vmCreated, cause, data);
    }
    const limit = pLimit(CREATE_CONCURRENCY);
    const rvms = await Promise.all(work.vms.map((vm) => limit(() => this.ensureRvm(work, vm.name, vm.disks, traceparent))));
    await this.messenger.send(
      REPLIES.prepared,
      {
        taskId: work.taskId,
        commandId: work.commandId,
        rocva: appliance.name,
        rvms: rvms.map((r, i) => ({ vm: work.vms[i].name, name: r.name, ip: r.nics[0]?.ip ?? null, disks: r.disks })),
      },
      traceparent,
    );
  }

  /** Idempotent: an RVM this task already made is reused (redelivered message). */
  private async ensureRvm(work: PrepareWork, vm: string, disks: number[], traceparent?: string): Promise<VmInfo> {
    const name = temporaryName('rvm', vm);
    const existing = await this.platform.getVm(work.site, name);
    if (existing?.owner?.taskId === work.taskId) return existing;
    if (existing) throw new ReasonedError(REASONS.vmBusy, `${name} already exists for another task (${existing.owner?.taskId ?? 'not ours'})`);
    const rvm = await this.platform.createVm({
      name,
      site: work.site,
      cluster: work.cluster,
      datastore: work.datastore,
      nics: [{ network: work.network, ip: 'dhcp' }],
      disks: disks.map((sizeBytes) => ({ sizeBytes })),
      owner: { taskId: work.taskId, kind: 'rvm', domain: work.domain },
      powerOn: true,
    });
    const cause = { taskId: work.taskId, commandId: work.commandId, traceparent };
    await this.messenger.event(EVENTS.vmCreated, cause, this.vmEvent(work, rvm, 'rvm'));
    return rvm;
  }

  private vmEvent(work: PrepareWork, vm: VmInfo, kind: VmEventData['kind']): VmEventData {
    return { taskId: work.taskId, commandId: work.commandId, name: vm.name, kind, site: vm.site, domain: work.domain, ip: vm.nics[0]?.ip ?? null };
  }
}
