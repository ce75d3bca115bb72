import { Target } from '@jss/contract';

/** Where a command without `target` recovers to (design: "The simulated sites"). */
export const RECOVERY_SITE = 'recovery';
export const DEFAULT_TARGET: Required<Target> = {
  cluster: `${RECOVERY_SITE}-cluster`,
  datastore: `${RECOVERY_SITE}-ds`,
  network: `${RECOVERY_SITE}-net`,
};

/** The RocVA's own disk (the appliance image), provisioned on the target datastore. */
export const ROCVA_DISK_BYTES = 1 << 30;
