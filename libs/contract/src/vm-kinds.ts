// The kinds of VM the system creates: one list for the events, the work messages and the platform.

export const VM_KINDS = ['rocva', 'rvm', 'tvm', 'recovered'] as const;
export type VmKind = (typeof VM_KINDS)[number];

/** What a task rehydrates into: an RVM (whose disks become the recovered VM's) or a Test VM (the result itself). */
export const TEMPORARY_VM_KINDS = ['rvm', 'tvm'] as const;
export type TemporaryVmKind = (typeof TEMPORARY_VM_KINDS)[number];

/** Deleted automatically when their task ends (or by the orphan sweep). */
export const SHORT_LIVED_KINDS: readonly VmKind[] = ['rocva', 'rvm', 'tvm'];
