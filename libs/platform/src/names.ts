import type { VmKind } from '@jss/contract';

/** The name of the VM a task creates: jss-rocva-<domain>, jss-rvm-<vm>, jss-tvm-<vm>, or the VM's own name. */
export function temporaryName(kind: VmKind, vmOrDomain: string): string {
  switch (kind) {
    case 'rocva':
      return `jss-rocva-${vmOrDomain}`;
    case 'rvm':
      return `jss-rvm-${vmOrDomain}`;
    case 'tvm':
      return `jss-tvm-${vmOrDomain}`;
    case 'recovered':
      return vmOrDomain;
  }
}
