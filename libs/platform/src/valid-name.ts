import { PlatformError } from './platform';

// Names become folder names ("<datastore>/<vm>/"), parts of datastore paths ("[ds] vm/disk-0.img")
// and parts of Redis members ("<site>:<vm>"), so the characters that would break one of them are refused.
// 80 characters is vSphere's own limit on a VM name.
const FORBIDDEN = /[/\\:[\]\x00-\x1f]/;

export function assertValidName(what: string, name: string): void {
  if (name.length === 0 || name.length > 80 || name === '.' || name === '..' || FORBIDDEN.test(name)) {
    throw new PlatformError(
      'invalid-spec',
      `${what} name ${JSON.stringify(name)} is not valid: use 1 to 80 characters without / \\ : [ ] or control characters`,
    );
  }
}
