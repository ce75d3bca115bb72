import type { RecoveryOperation, TemporaryVmKind } from '@jss/contract';

/** What an operation does, as data: the task flow reads this instead of testing the operation's name. */
export interface OperationProfile {
  /** rehydrate through the domain's shared RocVA */
  usesRocva: boolean;
  /** rvm: the RVMs' disks become the recovered VMs; tvm: the Test VMs are the result */
  temporaries: TemporaryVmKind;
  /** power the source VMs off and wait for a newer recovery point first (no data loss) */
  quiesceFirst: boolean;
  /** keep the RVMs current with each new point (standby) until a cut-over */
  continuous: boolean;
  /** once up, hold the Test VMs until test-cleanup, cancel or the time limit */
  holdsUntilCleanup: boolean;
}

const FAILOVER: OperationProfile = {
  usesRocva: true,
  temporaries: 'rvm',
  quiesceFirst: false,
  continuous: false,
  holdsUntilCleanup: false,
};

export const PROFILES: Readonly<Record<RecoveryOperation, OperationProfile>> = {
  failover: FAILOVER,
  'planned-failover': { ...FAILOVER, quiesceFirst: true },
  'continuous-failover': { ...FAILOVER, continuous: true },
  failback: FAILOVER,
  restore: { ...FAILOVER, usesRocva: false },
  'test-failover': { ...FAILOVER, temporaries: 'tvm', holdsUntilCleanup: true },
};

export const profileOf = (operation: RecoveryOperation): OperationProfile => PROFILES[operation];
