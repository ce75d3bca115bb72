import { mkdir, open, rename, rm, rmdir, unlink } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { PlatformError } from '../platform';
import { parseDiskPath } from './disk-paths';

/** The datastores on disk: `<data dir>/datastores/<datastore>/<vm>/<disk file>`. */
export class DatastoreFolders {
  readonly root: string;

  constructor(dataDir: string) {
    this.root = join(resolve(dataDir), 'datastores');
  }

  folder(datastore: string): string {
    return join(this.root, datastore);
  }

  vmFolder(datastore: string, vm: string): string {
    return join(this.root, datastore, vm);
  }

  /** Absolute file of a datastore path such as "[recovery-ds] web/disk-0.img"; always inside that datastore's folder. */
  file(path: string): string {
    const { datastore, vm, file } = parseDiskPath(path);
    const folder = this.folder(datastore);
    const absolute = resolve(folder, vm, file);
    const inside = relative(folder, absolute);
    if (dirname(folder) !== this.root || !inside || inside.startsWith('..') || inside.split(sep).length !== 2) {
      throw new PlatformError('unknown-disk', `${JSON.stringify(path.slice(0, 200))} is not inside datastore "${datastore}"`);
    }
    return absolute;
  }

  /** A sparse image: the size is set with ftruncate and no data block is written. */
  async createSparse(file: string, sizeBytes: number): Promise<void> {
    await mkdir(dirname(file), { recursive: true });
    const handle = await open(file, 'w');
    try {
      await handle.truncate(sizeBytes);
    } finally {
      await handle.close();
    }
  }

  /** Moves a file (every datastore is under one data dir, so rename works between datastores too). */
  async move(from: string, to: string): Promise<void> {
    await mkdir(dirname(to), { recursive: true });
    await rename(from, to);
  }

  async removeFile(file: string): Promise<void> {
    await unlink(file).catch(ignore('ENOENT'));
  }

  /** Leaves a folder that still holds something: a disk file must never go with a folder it is not listed in. */
  async removeFolderIfEmpty(folder: string): Promise<void> {
    await rmdir(folder).catch(ignore('ENOENT', 'ENOTEMPTY'));
  }

  /** Deletes disk files by datastore path, then their VM folders if empty. */
  async removeDisks(paths: string[]): Promise<void> {
    await Promise.all(paths.map((path) => this.removeFile(this.file(path))));
    const folders = new Set(paths.map((path) => dirname(this.file(path))));
    await Promise.all([...folders].map((folder) => this.removeFolderIfEmpty(folder)));
  }

  async clear(): Promise<void> {
    await rm(this.root, { recursive: true, force: true });
  }
}

function ignore(...codes: string[]): (err: NodeJS.ErrnoException) => void {
  return (err) => {
    if (!codes.includes(err.code ?? '')) throw err;
  };
}
