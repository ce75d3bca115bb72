import { InvalidNameError } from './errors';

/** Domain and VM names become parts of VM names (jss-rocva-<domain>, jss-tvm-<domain>-<vm>) and object key segments. */
export const NAME_PATTERN = /^[a-z0-9][a-z0-9-]{0,62}$/;

export function assertName(kind: 'domain' | 'VM', name: string): void {
  if (!NAME_PATTERN.test(name)) throw new InvalidNameError(kind, name);
}
