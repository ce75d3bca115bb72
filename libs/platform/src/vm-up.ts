import type { VmInfo } from './platform';

/** A recovered VM up (powered on with an address), or what it is missing. */
export type VmUp = { problem: null; ip: string } | { problem: string; ip: string | null };

/**
 * Whether a recovered VM is up as the checks of a recovery plan and of a drill mean it: powered on
 * with an address. `problem` says what is missing; `ip` is its first address.
 */
export function vmUp(vm: VmInfo | null): VmUp {
  const ip = vm?.nics.find((n) => n.ip)?.ip ?? null;
  if (!vm) return { problem: 'not on the platform', ip };
  if (vm.powerState !== 'poweredOn') return { problem: 'not powered on', ip };
  return ip ? { problem: null, ip } : { problem: 'powered on without an address', ip };
}
