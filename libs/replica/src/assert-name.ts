import { NAME_PATTERN } from '@jss/contract';
import { InvalidNameError } from './errors';

/** Domain and VM names become parts of VM names (jss-rocva-<domain>, jss-tvm-<domain>-<vm>) and object key segments. */
export function assertName(kind: 'domain' | 'VM', name: string): void {
  if (!NAME_PATTERN.test(name)) throw new InvalidNameError(kind, name);
}
