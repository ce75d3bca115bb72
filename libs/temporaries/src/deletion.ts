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

/** `domain`: of the task, for a VM the system did not create (an admin's restore replaced it) */
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
  if (vm.owner?.kind === 'rocva') await messenger.event(EVENTS.applianceDeleted, cause, data);
  await messenger.event(EVENTS.vmDeleted, cause, data);
}
