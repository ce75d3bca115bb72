import { Platform, VmInfo } from '@jss/platform';

/** Up to this many names are looked up one by one; more, and the site's VMs are listed once. */
const LOOKUPS_AT_MOST = 32;

/**
 * The VMs of these names that exist at a site. A task of thousands of VMs checks each of its
 * names at acceptance: one listing of the site instead of a platform round trip per name.
 */
export async function existingVms(platform: Platform, site: string, names: string[]): Promise<Map<string, VmInfo>> {
  if (names.length > LOOKUPS_AT_MOST) {
    const wanted = new Set(names);
    return new Map((await platform.listVms({ site })).filter((vm) => wanted.has(vm.name)).map((vm) => [vm.name, vm]));
  }
  const found = new Map<string, VmInfo>();
  for (const name of names) {
    const vm = await platform.getVm(site, name);
    if (vm) found.set(name, vm);
  }
  return found;
}
