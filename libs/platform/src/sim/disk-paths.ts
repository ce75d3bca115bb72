import { PlatformError } from '../platform';

// vSphere-style datastore paths: "[<datastore>] <vm>/<file>". A disk always lives in the folder of
// the VM that lists it, named after its position in that VM.

export interface DiskLocation {
  datastore: string;
  vm: string;
  file: string;
}

const DISK_PATH = /^\[([^\]]+)\] ([^/]+)\/([^/]+)$/;
/** A datastore name, VM folder or file name: no separator, no NUL, not "." or ".." (nothing can leave its folder). */
const isPart = (part: string | undefined): part is string =>
  !!part && part.length <= 255 && part !== '.' && part !== '..' && !/[/\\\0]/.test(part) && !part.includes('..');

export function diskPath(datastore: string, vm: string, index: number): string {
  return `[${datastore}] ${vm}/disk-${index}.img`;
}

export function parseDiskPath(path: string): DiskLocation {
  const match = DISK_PATH.exec(path);
  const [, datastore, vm, file] = match ?? [];
  if (![datastore, vm, file].every(isPart)) {
    throw new PlatformError('unknown-disk', `${JSON.stringify(path.slice(0, 200))} is not a disk path like "[recovery-ds] web/disk-0.img"`);
  }
  return { datastore, vm, file };
}
