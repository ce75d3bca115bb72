import type { VmInfo } from '../platform';

/** A DHCP address a VM holds; given back to the network's pool when the VM is deleted. */
export interface Lease {
  network: string;
  ip: string;
}

/** What Redis holds for a VM: its public view plus its leases. */
export interface StoredVm extends VmInfo {
  leases: Lease[];
}

export function toVmInfo(json: string): VmInfo {
  const vm = JSON.parse(json) as StoredVm;
  return {
    name: vm.name,
    site: vm.site,
    cluster: vm.cluster,
    datastore: vm.datastore,
    powerState: vm.powerState,
    disks: list(vm.disks),
    nics: list(vm.nics),
    owner: vm.owner ?? null,
    createdAt: vm.createdAt,
  };
}

/** Records rewritten by a Lua script carry an empty array as {} (Redis' cjson cannot tell them apart). */
function list<T>(value: T[] | Record<string, never>): T[] {
  return Array.isArray(value) ? value : [];
}
