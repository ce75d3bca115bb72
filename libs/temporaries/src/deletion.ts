import type Redis from 'ioredis';
import { Cause, Messenger } from '@jss/bus';
import { EVENTS, VmEventData } from '@jss/contract';
import { Platform, VmInfo } from '@jss/platform';

/** Deletes a VM the system created and says so on the bus (vm.deleted, and appliance.deleted for a RocVA). */
export async function deleteOwnedVm(platform: Platform, messenger: Messenger, vm: VmInfo, cause: Cause): Promise<boolean> {
  if (!vm.owner) throw new Error(`refusing to delete ${vm.site}/${vm.name}: the system did not create it`);
  if (!(await platform.deleteVm(vm.site, vm.name))) return false;
  await announceDeleted(messenger, vm, cause);
  return true;
}

/**
 * `domain`: of the task, for a VM the system did not create (an admin's restore replaced it). Each
 * event's id is fixed by the VM (site, name, creation time): announced again, it is the same event.
 */
export async function announceDeleted(messenger: Messenger, vm: VmInfo, cause: Cause, domain = ''): Promise<void> {
  const data: VmEventData = {
    taskId: cause.taskId,
    commandId: cause.commandId,
    name: vm.name,
    kind: vm.owner?.kind ?? 'unmanaged',
    site: vm.site,
    domain: vm.owner?.domain ?? domain,
    ip: vm.nics[0]?.ip ?? null,
  };
  const id = (name: string) => `${name}/${vm.site}/${vm.name}/${vm.createdAt}`;
  if (vm.owner?.kind === 'rocva') await messenger.event(EVENTS.applianceDeleted, cause, data, id(EVENTS.applianceDeleted));
  await messenger.event(EVENTS.vmDeleted, cause, data, id(EVENTS.vmDeleted));
}

/** Kept as long as a task record at most: a release that never finished is swept by then. */
const PENDING_TTL_SECONDS = 30 * 24 * 3600;

/**
 * The VMs a task's release is deleting: noted before each deletion, crossed out once its
 * announcement is confirmed. A release redelivered after a crash (or a failed publish) between the
 * two finds the VM gone — deleteVm says false — and would say nothing; it announces what is noted.
 */
export class PendingDeletions {
  constructor(private readonly redis: Redis) {}

  async note(taskId: string, vms: VmInfo[]): Promise<void> {
    if (!vms.length) return;
    await this.redis
      .multi()
      .hset(this.key(taskId), Object.fromEntries(vms.map((vm) => [fieldOf(vm), JSON.stringify(vm)])))
      .expire(this.key(taskId), PENDING_TTL_SECONDS)
      .exec();
  }

  async of(taskId: string): Promise<VmInfo[]> {
    return Object.values(await this.redis.hgetall(this.key(taskId))).map((json) => JSON.parse(json) as VmInfo);
  }

  async announced(taskId: string, vm: VmInfo): Promise<void> {
    await this.redis.hdel(this.key(taskId), fieldOf(vm));
  }

  private key(taskId: string) {
    return `deleting:${taskId}`;
  }
}

const fieldOf = (vm: VmInfo) => `${vm.site}/${vm.name}`;
