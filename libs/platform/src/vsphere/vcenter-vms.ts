import pRetry, { AbortError } from 'p-retry';
import { TIMING, retryWithinOptionsOf } from '@jss/contract';
import { PlatformError, type VmInfo } from '../platform';
import { toPlatformError } from './faults';
import type { ResolvedSite } from './inventory';
import { readOwnerMark } from './owner-mark';
import { VimFault } from './soap-client';
import type { Vim } from './vim';
import { VM_PATHS, toVmInfo } from './vm-props';
import type { MoRef, SoapObject } from './xml';

export interface VcenterVmsOptions {
  /** one vCenter task (default TIMING.vcenterTask.timeoutMs) */
  taskTimeoutMs?: number;
  /** how long a powered-on VM's guest has to report its DHCP address (default TIMING.guestAddress.timeoutMs) */
  guestIpTimeoutMs?: number;
}

/** Runs `fn`, its failure told as a PlatformError saying what was being done. */
export async function guard<T>(doing: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw toPlatformError(err, doing);
  }
}

/** The VMs of a vCenter by name: found, powered, destroyed, awaited until their guest reports its addresses; its tasks run. */
export class VcenterVms {
  constructor(
    private readonly vim: Vim,
    private readonly options: VcenterVmsOptions,
  ) {}

  task(method: string, self: MoRef, args: SoapObject) {
    return this.vim.runTask(method, self, args, this.options.taskTimeoutMs ?? TIMING.vcenterTask.timeoutMs);
  }

  async find(site: ResolvedSite, name: string): Promise<MoRef | null> {
    const all = await this.vim.listUnder(site.vmFolder, 'VirtualMachine', ['name']);
    return all.find((vm) => vm.props.get('name')?.text === name)?.obj ?? null;
  }

  /**
   * Powers off (if on) and destroys the VM `name`; false when it was already gone. A reference can
   * outlive its VM and name another one (vcsim, restarted, numbers its objects afresh): a VM of
   * another name is not touched.
   */
  async destroy(ref: MoRef, name: string): Promise<boolean> {
    try {
      const props = (await this.vim.get(ref, ['name', 'runtime.powerState']))?.props;
      if (props?.get('name')?.text !== name) return false;
      const state = props.get('runtime.powerState')?.text;
      if (state === 'poweredOn') await this.ignoring('InvalidPowerState', () => this.task('PowerOffVM_Task', ref, {}));
      await this.task('Destroy_Task', ref, {});
      return true;
    } catch (err) {
      if (err instanceof VimFault && err.fault === 'ManagedObjectNotFound') return false;
      throw err;
    }
  }

  async power(site: ResolvedSite, name: string, method: 'PowerOnVM_Task' | 'PowerOffVM_Task'): Promise<MoRef> {
    return guard(`${method === 'PowerOnVM_Task' ? 'powering on' : 'powering off'} VM ${name}`, async () => {
      const ref = await this.find(site, name);
      if (!ref) throw new PlatformError('unknown-vm', `there is no VM ${name} on site ${site.name}`);
      // already in that state: nothing to do (a repeated message)
      await this.ignoring('InvalidPowerState', () => this.task(method, ref, {}));
      return ref;
    });
  }

  /**
   * A powered-on VM as its guest reports it: the address of a NIC that asked for a DHCP lease is
   * the one the guest reports (guest.net, VMware Tools) after power-on, awaited up to
   * guestIpTimeoutMs. `leased`: which NICs asked; by default, those the owner line records without
   * a static address (a VM without one is not waited for: its guest may have no tools).
   */
  async waitForAddresses(site: ResolvedSite, ref: MoRef, name: string, leased?: boolean[]): Promise<VmInfo> {
    const timeoutMs = this.options.guestIpTimeoutMs ?? TIMING.guestAddress.timeoutMs;
    let last: unknown;
    const look = async (): Promise<VmInfo> => {
      // vCenter failing to answer is not waited out here (its calls have their own budget)
      const props = await guard(`waiting for the address of VM ${name}`, () => this.vim.get(ref, VM_PATHS)).catch((err: Error) => {
        throw new AbortError(err);
      });
      if (!props)
        throw new AbortError(new PlatformError('unknown-vm', `VM ${name} vanished from site ${site.name} while its address was awaited`));
      const vm = toVmInfo(site, props);
      const asked = leased ?? (readOwnerMark(props.props.get('config.annotation')?.text)?.ips ?? []).map((ip) => ip === null);
      const missing = vm.nics.find((n, i) => asked[i] && !n.ip);
      if (!missing) return vm;
      throw new PlatformError(
        'platform-error',
        `VM ${name} is powered on but its guest reported no address on network ${missing.network} ` +
          `within ${timeoutMs / 1000} s (is a DHCP server on that port group, and are VMware Tools running in the guest?)`,
      );
    };
    return pRetry(look, {
      ...retryWithinOptionsOf(TIMING.guestAddress.backoff, timeoutMs),
      onFailedAttempt: (err) => void (last = err),
    }).catch((err: unknown) => {
      // past the time p-retry gives its own timeout error: the wait fails with the last look's instead
      throw err instanceof PlatformError || !last ? err : last;
    });
  }

  async ignoring<T>(fault: string, fn: () => Promise<T>): Promise<T | undefined> {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof VimFault && err.fault === fault) return undefined;
      throw err;
    }
  }
}
