import { Messenger } from '@jss/bus';
import { DomainLocks } from '@jss/locks';
import { Logger, metrics } from '@jss/observability';
import { SHORT_LIVED_KINDS } from '@jss/contract';
import { Platform, VmInfo } from '@jss/platform';
import { TaskStore } from '@jss/tasks';
import { RocvaManager } from './rocva';
import { announceDeleted, deleteOwnedVm } from './deletion';

/**
 * What a crash can leave behind: RVMs and Test VMs of tasks that ended (or never were), holds on a
 * RocVA by tasks no longer live, a RocVA nobody holds. Never touches a VM the system did not create
 * (owner null), a recovered VM, or anything of a live task; leaves temporaries younger than the
 * grace period alone (their task may be being created right now).
 */
export class OrphanSweeper {
  constructor(
    private readonly platform: Platform,
    private readonly tasks: TaskStore,
    private readonly rocva: RocvaManager,
    private readonly messenger: Messenger,
    private readonly locks: DomainLocks,
    private readonly log: Logger,
    private readonly graceSeconds: number,
  ) {}

  /** One sweep at a time across janitor replicas; returns the VMs removed, or null if another janitor sweeps. */
  async sweep(now = Date.now()): Promise<number | null> {
    return (await this.locks.tryWithLock('sweep', 'all', () => this.sweepOnce(now))) ?? null;
  }

  private async sweepOnce(now: number): Promise<number> {
    metrics.janitorSweeps.inc();
    const owned = await this.platform.listVms({ owned: true });
    const live = new Set(await this.tasks.liveIds());
    const old = (vm: VmInfo) => now - Date.parse(vm.createdAt) > this.graceSeconds * 1000;
    let removed = 0;
    for (const vm of owned.filter((v) => (v.owner!.kind === 'rvm' || v.owner!.kind === 'tvm') && !live.has(v.owner!.taskId) && old(v))) {
      if (await deleteOwnedVm(this.platform, this.messenger, vm, await this.causeOf(vm.owner!.taskId))) {
        removed++;
        metrics.orphansRemoved.inc({ kind: vm.owner!.kind });
        this.log.warn({ taskId: vm.owner!.taskId, vm: vm.name, kind: vm.owner!.kind }, 'orphan removed');
      }
    }
    for (const appliance of owned.filter((v) => v.owner!.kind === 'rocva')) {
      const domain = appliance.owner!.domain;
      const stale = (await this.rocva.holders(domain, appliance.site)).filter((t) => !live.has(t));
      const holders = stale.length ? stale : old(appliance) ? ['(none)'] : [];
      for (const taskId of holders) {
        const deleted = await this.rocva.release(domain, taskId, appliance.site);
        if (!deleted) continue;
        removed++;
        metrics.orphansRemoved.inc({ kind: 'rocva' });
        this.log.warn({ taskId, vm: deleted.name, kind: 'rocva' }, 'orphan RocVA removed');
        await announceDeleted(this.messenger, deleted, await this.causeOf(taskId));
      }
    }
    this.observe(await this.platform.listVms({ owned: true }), now);
    return removed;
  }

  private observe(owned: VmInfo[], now: number) {
    for (const kind of SHORT_LIVED_KINDS) {
      const vms = owned.filter((v) => v.owner!.kind === kind);
      metrics.temporaries.set({ kind }, vms.length);
      const oldest = Math.min(now, ...vms.map((v) => Date.parse(v.createdAt)));
      metrics.temporaryOldestAge.set({ kind }, (now - oldest) / 1000);
    }
  }

  private async causeOf(taskId: string) {
    const task = await this.tasks.get(taskId);
    return { taskId, commandId: task?.commandId ?? 'janitor-sweep', traceparent: task?.traceparent };
  }
}
