import { PlatformError } from '../platform';

// vSphere-style datastore paths: "[<datastore>] <vm>/<file>". A disk always lives in the folder of
// the VM that lists it, named after its position in that VM.

export interface DiskLocation {
  datastore: string;
  vm: string;
  file: string;
}

const DISK_PATH = /^\[([^\]]+)\] ([^/]+)\/([^/]+)$/;

export function diskPath(datastore: string, vm: string, index: number): string {
  return `[${datastore}] ${vm}/disk-${index}.img`;
}

export function parseDiskPath(path: string): DiskLocation {
  const match = DISK_PATH.exec(path);
  const [, datastore, vm, file] = match ?? [];
  if (!datastore || !vm || !file || [vm, file].some((part) => part === '.' || part === '..')) {
    throw new PlatformError('unknown-disk', `${JSON.stringify(path)} is not a disk path like "[recovery-ds] web/disk-0.img"`);
  }
  return { datastore, vm, file };
}
