import { randomBytes } from 'node:crypto';
import { close, constants, Dirent, fstat, open, promises as fs, read, Stats } from 'node:fs';
import * as path from 'node:path';
import { assertObjectKey, assertObjectPrefix } from './object-key';
import { ObjectNotFoundError, ObjectStore, PutOptions } from './object-store';
import { ReadThrottle } from './read-throttle';
import { ObjectExistsError } from './store-errors';

export interface FsObjectStoreOptions {
  /** simulated latency added to every get */
  latencyMs?: number;
  /** simulated read bandwidth of the whole store in MB/s, shared by concurrent gets; 0 = none */
  mbps?: number;
}

/** The embedded default: one file per object under `root`, key '/' → directory separator. */
export class FsObjectStore implements ObjectStore {
  private readonly throttle: ReadThrottle;

  constructor(
    readonly root: string,
    options: FsObjectStoreOptions = {},
  ) {
    this.throttle = new ReadThrottle(options.latencyMs ?? 0, options.mbps ?? 0);
  }

  /** Temp file in the same directory, fsync, rename: readers never see a partial object, and an
   *  object's data is on disk before its key appears (the writer relies on it to write manifests last).
   *  ifAbsent links instead of renaming: link() refuses an existing name, atomically. */
  async put(key: string, body: Uint8Array, options: PutOptions = {}): Promise<void> {
    const file = this.fileOf(key);
    await fs.mkdir(path.dirname(file), { recursive: true });
    const tmp = path.join(path.dirname(file), `.tmp-${randomBytes(6).toString('hex')}`);
    try {
      const handle = await fs.open(tmp, 'wx');
      try {
        await handle.writeFile(body);
        await handle.sync();
      } finally {
        await handle.close();
      }
      if (options.ifAbsent) {
        await fs.link(tmp, file);
        await fs.rm(tmp);
      } else {
        await fs.rename(tmp, file);
      }
    } catch (err) {
      await fs.rm(tmp, { force: true });
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw new ObjectExistsError(key);
      throw err;
    }
  }

  async get(key: string): Promise<Buffer> {
    const file = this.fileOf(key);
    const startedAt = performance.now();
    let body: Buffer;
    try {
      body = await fs.readFile(file);
    } catch (err) {
      if (isNotFound(err)) throw new ObjectNotFoundError(key);
      throw err;
    }
    if (this.throttle.active) await this.throttle.complete(startedAt, body.length);
    return body;
  }

  /**
   * get() without the allocation: open, fstat, positioned reads into `target`, close (not awaited:
   * the caller has its bytes once the reads are done). 4 threadpool calls and no buffer per block.
   */
  async getInto(key: string, target: Uint8Array): Promise<number> {
    const file = this.fileOf(key);
    const startedAt = performance.now();
    let fd: number;
    try {
      fd = await openForReading(file);
    } catch (err) {
      if (isNotFound(err)) throw new ObjectNotFoundError(key);
      throw err;
    }
    let size: number;
    try {
      const stats = await statOf(fd);
      if (!stats.isFile()) throw new ObjectNotFoundError(key); // a directory: no object has that key
      size = stats.size;
      if (size <= target.length) {
        let done = 0;
        while (done < size) {
          const n = await readAt(fd, target, done, size - done);
          if (n === 0) break; // cannot shrink (puts replace files by rename), but never loop forever
          done += n;
        }
        size = done;
      }
    } finally {
      close(fd, () => undefined); // read-only: nothing to lose if it failed
    }
    if (this.throttle.active) await this.throttle.complete(startedAt, size);
    return size;
  }

  async exists(key: string): Promise<boolean> {
    try {
      return (await fs.stat(this.fileOf(key))).isFile();
    } catch (err) {
      if (isNotFound(err)) return false;
      throw err;
    }
  }

  async list(prefix: string): Promise<string[]> {
    assertObjectPrefix(prefix);
    // walk only the deepest directory the prefix names completely ("a/b/c" → "a/b")
    const dir = prefix.slice(0, prefix.lastIndexOf('/') + 1);
    const keys: string[] = [];
    await this.walk(dir, keys);
    return keys.filter((key) => key.startsWith(prefix)).sort();
  }

  async listFolders(prefix: string): Promise<string[]> {
    assertObjectPrefix(prefix);
    if (prefix !== '' && !prefix.endsWith('/')) throw new Error(`a folder prefix is '' or ends with '/', got "${prefix}"`);
    const entries = await this.entries(prefix);
    return entries
      .filter((e) => e.isDirectory() && !e.name.startsWith('.'))
      .map((e) => e.name)
      .sort();
  }

  async delete(key: string): Promise<void> {
    await fs.rm(this.fileOf(key), { force: true });
  }

  async ping(): Promise<void> {
    await fs.mkdir(this.root, { recursive: true });
    await fs.access(this.root, constants.R_OK | constants.W_OK);
  }

  private fileOf(key: string): string {
    assertObjectKey(key);
    return path.join(this.root, ...key.split('/'));
  }

  /** Appends the keys of every file under `dir` (a key prefix ending in '/' or ''). */
  private async walk(dir: string, keys: string[]): Promise<void> {
    for (const entry of await this.entries(dir)) {
      if (entry.name.startsWith('.')) continue; // temp files of puts in progress
      if (entry.isDirectory()) await this.walk(`${dir}${entry.name}/`, keys);
      else if (entry.isFile()) keys.push(dir + entry.name);
    }
  }

  /** The entries of the folder of a prefix ('' or ending in '/'); none when it does not exist. */
  private async entries(dir: string): Promise<Dirent[]> {
    try {
      return await fs.readdir(path.join(this.root, ...dir.split('/')), { withFileTypes: true });
    } catch (err) {
      if (isNotFound(err)) return [];
      throw err;
    }
  }
}

const openForReading = (file: string) =>
  new Promise<number>((resolve, reject) => open(file, 'r', (err, fd) => (err ? reject(err) : resolve(fd))));
const statOf = (fd: number) => new Promise<Stats>((resolve, reject) => fstat(fd, (err, stats) => (err ? reject(err) : resolve(stats))));
const readAt = (fd: number, target: Uint8Array, at: number, length: number) =>
  new Promise<number>((resolve, reject) => read(fd, target, at, length, at, (err, n) => (err ? reject(err) : resolve(n))));

/** A missing file, or a path through or onto a directory: either way no object has that key. */
function isNotFound(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR';
}
