import type { CreateVmSpec, Platform, VmInfo } from '@jss/platform';
import { GiB, MiB } from './images';

/** An RVM on the recovery site with one DHCP NIC on recovery-net and one 1 GiB disk, changed by `overrides`. */
export function vmSpec(name: string, overrides: Partial<CreateVmSpec> = {}): CreateVmSpec {
  return {
    name,
    site: 'recovery',
    cluster: 'recovery-cluster',
    datastore: 'recovery-ds',
    nics: [{ network: 'recovery-net', ip: 'dhcp' }],
    disks: [{ sizeBytes: GiB }],
    owner: { taskId: 'task-1', kind: 'rvm', domain: 'shop' },
    ...overrides,
  };
}

/**
 * A 1 MiB VM at the recovery site, on recovery-ds and recovery-net (DHCP): by default one the system
 * did not create (owner null), as a user's production VM looks; `spec` changes any of it.
 */
export function recoveryVm(platform: Platform, name: string, spec: Partial<CreateVmSpec> = {}): Promise<VmInfo> {
  return platform.createVm(vmSpec(name, { disks: [{ sizeBytes: MiB }], owner: null, ...spec }));
}
