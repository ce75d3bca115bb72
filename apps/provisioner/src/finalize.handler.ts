import { Inject, Injectable } from '@nestjs/common';
import pLimit from 'p-limit';
import { Cause, Messenger } from '@jss/bus';
import { EVENTS, FinalizeWork, REASONS, REPLIES, ReasonedError } from '@jss/contract';
import { PLATFORM } from '@jss/infra';
import { DomainLocks } from '@jss/locks';
import { Platform, VmInfo } from '@jss/platform';
import { CREATE_CONCURRENCY } from './prepare.handler';

type FinalizeVm = FinalizeWork['vms'][number];

/**
 * provision.finalize: each recovered VM is created under its own name from its RVM's rehydrated
 * disks (adopted, not copied) and powered on. Under a per-task lock, so that a repeated finalize
 * finds the VMs its twin made instead of racing it.
 */
@Injectable()
export class FinalizeHandler {
  constructor(
    private readonly messenger: Messenger,
    private readonly locks: DomainLocks,
    @Inject(PLATFORM) private readonly platform: Platform,
  ) {}

  async execute(work: FinalizeWork, traceparent?: string): Promise<void> {
    const cause = { taskId: work.taskId, commandId: work.commandId, traceparent };
    const limit = pLimit(CREATE_CONCURRENCY);
    const recovered = await this.locks.withLock('finalize', work.taskId, () =>
      Promise.all(work.vms.map((vm) => limit(() => this.ensureRecovered(work, vm, cause)))),
    );
    await this.messenger.send(
      REPLIES.finalized,
      { taskId: work.taskId, commandId: work.commandId, vms: recovered.map((v) => ({ name: v.name, site: v.site, ip: v.nics[0]?.ip ?? null })) },
      traceparent,
    );
  }

  private async ensureRecovered(work: FinalizeWork, vm: FinalizeVm, cause: Cause): Promise<VmInfo> {
    const existing = await this.platform.getVm(work.site, vm.name);
    if (existing?.owner?.taskId === work.taskId) return existing;
    if (existing) throw new ReasonedError(REASONS.vmExists, `a VM named "${vm.name}" already exists at site "${work.site}"`);
    const made = await this.platform.createVm({
      name: vm.name,
      site: work.site,
      cluster: work.cluster,
      datastore: work.datastore,
      nics: [{ network: vm.network, ip: vm.ip }],
      disks: vm.disks.map((adopt) => ({ adopt })),
      owner: { taskId: work.taskId, kind: 'recovered', domain: work.domain },
      powerOn: true,
    });
    await this.messenger.event(EVENTS.vmCreated, cause, {
      ...cause,
      name: made.name,
      kind: 'recovered',
      site: made.site,
      domain: work.domain,
      ip: made.nics[0]?.ip ?? null,
    });
    return made;
  }
}
