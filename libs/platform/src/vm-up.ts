import type { VmInfo } from './platform';

/**
 * Whether a recovered VM is up as the checks of a recovery plan and of a drill mean it: powered on
 * with an address. `problem` says what is missing (null when it is up); `ip` is its first address.
 */
export function vmUp(vm: VmInfo | null): { ip: string | null; problem: string | null } {
  const ip = vm?.nics.find((n) => n.ip)?.ip ?? null;
  if (!vm) return { ip, problem: 'not on the platform' };
  if (vm.powerState !== 'poweredOn') return { ip, problem: 'not powered on' };
  return { ip, problem: ip ? null : 'powered on without an address' };
}
