import { PlatformError } from '../platform';
import { VcenterUnreachable, VimFault } from './soap-client';
import { TaskLost, TaskTimeout } from './vim';

/** vSphere faults that mean the datastore has no room. */
const NO_SPACE = new Set(['InsufficientDiskSpace', 'NoDiskSpace', 'FileTooLarge']);

/**
 * A vCenter failure as the services see it: DuplicateName → vm-exists, no room → datastore-full,
 * any other fault, an unanswered vCenter, a task that did not end or that vCenter lost → platform-error
 * with a sentence.
 * Other errors (programming errors, local file I/O) pass through.
 */
export function toPlatformError(err: unknown, doing: string): unknown {
  if (err instanceof PlatformError) return err;
  if (err instanceof VimFault) {
    if (err.fault === 'DuplicateName') return new PlatformError('vm-exists', `${doing}: vCenter says the name is taken (${err.message})`);
    if (NO_SPACE.has(err.fault))
      return new PlatformError('datastore-full', `${doing}: the datastore has no room (${err.fault}: ${err.message})`);
    return new PlatformError('platform-error', `${doing}: vCenter answered ${err.fault}: ${err.message}`);
  }
  if (err instanceof VcenterUnreachable || err instanceof TaskTimeout || err instanceof TaskLost)
    return new PlatformError('platform-error', `${doing}: ${err.message}`);
  return err;
}
