import type { CreateVmSpec, Platform, VmInfo } from '@jss/platform';
import { MiB } from './images';

/**
 * A 1 MiB VM at the recovery site, on recovery-ds and recovery-net (DHCP): by default one the system
 * did not create (owner null), as a user's production VM looks; `spec` changes any of it.
 */
export function recoveryVm(platform: Platform, name: string, spec: Partial<CreateVmSpec> = {}): Promise<VmInfo> {
  return platform.createVm({
    name,
    site: 'recovery',
    cluster: 'recovery-cluster',
    datastore: 'recovery-ds',
    nics: [{ network: 'recovery-net', ip: 'dhcp' }],
    disks: [{ sizeBytes: MiB }],
    owner: null,
    ...spec,
  });
}
