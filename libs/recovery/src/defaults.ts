import { Target } from '@jss/contract';

/** Where a command without `target` recovers to (design: "The simulated sites"). */
export const RECOVERY_SITE = 'recovery';
export const DEFAULT_TARGET: Required<Target> = {
  cluster: `${RECOVERY_SITE}-cluster`,
  datastore: `${RECOVERY_SITE}-ds`,
  network: `${RECOVERY_SITE}-net`,
};

/** Where the protected (production) VMs of a domain run before a failover. */
export const PROTECTED_SITE = 'primary';
