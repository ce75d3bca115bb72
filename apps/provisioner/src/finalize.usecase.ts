import { Inject, Injectable } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import pLimit from 'p-limit';
import { Cause, Messenger } from '@jss/bus';
import { EVENTS, FinalizeWork, REASONS, REPLIES, ReasonedError } from '@jss/contract';
import { PLATFORM } from '@jss/infra';
import { DomainLocks } from '@jss/locks';
import { Platform, VmInfo } from '@jss/platform';
import { RocvaManager, announceDeleted } from '@jss/temporaries';
import { TaskRecords, checkFinalize } from '@jss/tasks';
import { CREATE_CONCURRENCY, vmEvent } from './prepare.usecase';

type FinalizeVm = FinalizeWork['vms'][number];

/**
 * provision.finalize. RVMs: each final VM is created (powered off) under its name from its RVM's
 * rehydrated disks (adopted, not copied), replacing an existing one only when asked. Test VMs are
 * already the result, and no longer need the RocVA. Then the VMs are powered on group by group in
 * boot order, each group up before the next. Under a per-task lock, so that a repeated finalize
 * finds what its twin made instead of racing it.
 */
@Injectable()
export class FinalizeUseCase {
  constructor(
    private readonly messenger: Messenger,
    private readonly locks: DomainLocks,
    private readonly rocva: RocvaManager,
    private readonly records: TaskRecords,
    @Inject(PLATFORM) private readonly platform: Platform,
  ) {}

  async execute(work: FinalizeWork, traceparent?: string): Promise<void> {
    await this.records.verify(work, checkFinalize);
    const cause = { taskId: work.taskId, commandId: work.commandId, traceparent };
    const limit = pLimit(CREATE_CONCURRENCY);
    const vms = await this.locks.withLock('finalize', work.taskId, async () => {
      const made = await Promise.all(
        work.vms.map((vm) => limit(() => (work.kind === 'rvm' ? this.ensureFinal(work, vm, cause) : this.existing(work, vm)))),
      );
      const running = await this.powerOnInOrder(work, made);
      // failback: the copies at the recovery site stop once the VMs run at home again
      if (work.powerOff) await Promise.all(work.powerOff.vms.map((vm) => this.platform.powerOff(work.powerOff!.site, vm)));
      // the address as the VM runs: a DHCP lease may be known only once its guest is up (vSphere)
      return made.map((v, i) => ({
        vm: work.vms[i].vm,
        name: v.name,
        site: v.site,
        ip: running.get(v.name)!.vm.nics[0]?.ip ?? null,
        poweredOnAt: running.get(v.name)!.at,
      }));
    });
    if (work.kind === 'tvm') {
      const appliance = await this.rocva.release(work.domain, work.taskId, work.site);
      if (appliance) await announceDeleted(this.messenger, appliance, cause);
    }
    await this.messenger.send(REPLIES.finalized, { ...cause, vms }, traceparent);
  }

  private async ensureFinal(work: FinalizeWork, vm: FinalizeVm, cause: Cause): Promise<VmInfo> {
    const existing = await this.platform.getVm(work.site, vm.name);
    if (existing?.owner?.taskId === work.taskId) return existing;
    if (existing && !vm.replace) throw new ReasonedError(REASONS.vmExists, `a VM named "${vm.name}" already exists at site "${work.site}"`);
    // every deletion is announced, a VM the system did not create (an admin's replace) too
    if (existing && (await this.platform.deleteVm(work.site, vm.name))) await announceDeleted(this.messenger, existing, cause, work.domain);
    const made = await this.platform.createVm({
      name: vm.name,
      site: work.site,
      cluster: work.cluster,
      datastore: work.datastore,
      nics: [{ network: vm.network, ip: vm.ip }],
      disks: vm.disks.map((adopt) => ({ adopt })),
      owner: { taskId: work.taskId, kind: 'recovered', domain: work.domain },
      powerOn: false,
      takeOver: true,
    });
    await this.messenger.event(EVENTS.vmCreated, cause, vmEvent(cause, work.domain, made, 'recovered'));
    return made;
  }

  private async existing(work: FinalizeWork, vm: FinalizeVm): Promise<VmInfo> {
    const found = await this.platform.getVm(work.site, vm.name);
    if (!found) throw new ReasonedError(REASONS.platformError, `Test VM ${vm.name} is gone`);
    return found;
  }

  /** Boot order groups by protected VM name, each after its delay; VMs in no group come last. Returns each VM running, and since when. */
  private async powerOnInOrder(work: FinalizeWork, made: VmInfo[]): Promise<Map<string, { vm: VmInfo; at: string }>> {
    const nameOf = new Map(work.vms.map((v, i) => [v.vm, made[i].name]));
    const grouped = new Set(work.bootOrder.flatMap((g) => g.vms));
    const rest = { vms: work.vms.map((v) => v.vm).filter((vm) => !grouped.has(vm)), delaySeconds: 0 };
    const groups = [...work.bootOrder, rest].filter((g) => g.vms.length);
    const running = new Map<string, { vm: VmInfo; at: string }>();
    for (const group of groups) {
      if (group.delaySeconds) await sleep(group.delaySeconds * 1000);
      await Promise.all(
        group.vms.map(async (protectedVm) => {
          const name = nameOf.get(protectedVm)!;
          running.set(name, { vm: await this.platform.powerOn(work.site, name), at: new Date().toISOString() });
        }),
      );
    }
    return running;
  }
}
