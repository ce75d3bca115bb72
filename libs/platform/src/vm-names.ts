import { createHash } from 'node:crypto';
import type { VmKind } from '@jss/contract';

/** vSphere's limit on a VM name. */
export const MAX_VM_NAME = 80;
const HASH_CHARS = 8;

/**
 * The name of a VM a task creates, unique among the tasks that may run at once:
 * - `jss-rocva-<domain>`: shared by every task of the domain;
 * - `jss-rvm-<final name>`: named after the VM it becomes at its site, whose name is free there;
 * - `jss-tvm-<domain>-<vm>`: two domains may test VMs of the same name side by side;
 * - a recovered VM has its final name.
 * A name longer than vSphere's 80 characters keeps its start and ends with a hash of the whole
 * (deterministic, so every service computes the same name).
 */
export function temporaryName(kind: 'rocva', domain: string): string;
export function temporaryName(kind: 'rvm' | 'recovered', finalName: string): string;
export function temporaryName(kind: 'tvm', vm: string, domain: string): string;
export function temporaryName(kind: VmKind, name: string, domain?: string): string;
export function temporaryName(kind: VmKind, name: string, domain?: string): string {
  switch (kind) {
    case 'rocva':
      return fit(`jss-rocva-${name}`);
    case 'rvm':
      return fit(`jss-rvm-${name}`);
    case 'tvm':
      if (domain === undefined) throw new Error('a Test VM is named with its domain');
      return fit(`jss-tvm-${domain}-${name}`);
    case 'recovered':
      return name;
  }
}

/** At most 80 characters: a name that is longer keeps its first 71 and gets "-" and 8 hex of its sha256. */
export function fit(name: string): string {
  if (name.length <= MAX_VM_NAME) return name;
  const hash = createHash('sha256').update(name).digest('hex').slice(0, HASH_CHARS);
  return `${name.slice(0, MAX_VM_NAME - HASH_CHARS - 1)}-${hash}`;
}
