import { REASONS, Reason, ReasonedError } from '@jss/contract';
import { PlatformError } from '@jss/platform';
import { BlockVerificationError } from '@jss/replica';
import { StoreUnreachableError } from '@jss/store';

const PLATFORM_REASONS: Record<string, Reason> = {
  'no-dhcp': REASONS.noDhcp,
  'dhcp-exhausted': REASONS.dhcpExhausted,
  'datastore-full': REASONS.datastoreFull,
  'vm-exists': REASONS.vmExists,
  'unknown-network': REASONS.unknownNetwork,
  'unknown-datastore': REASONS.unknownDatastore,
  'unknown-cluster': REASONS.unknownCluster,
};

/**
 * The reason code of an expected failure (one that retrying cannot fix), or null for a transient
 * one (broker, Redis, I/O), which is retried by redelivery.
 */
export function failureReason(err: unknown): Reason | null {
  if (err instanceof ReasonedError) return err.reason;
  if (err instanceof BlockVerificationError) return REASONS.blockCorrupt;
  if (err instanceof StoreUnreachableError) return REASONS.storeUnreachable;
  if (err instanceof PlatformError) return PLATFORM_REASONS[err.code] ?? REASONS.platformError;
  return null;
}
