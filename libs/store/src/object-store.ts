// Where replicas live: a local folder by default, S3 / Azure Blob as real back ends. Keys are
// '/'-separated paths; values are whole objects (blocks are at most a few MiB).

export class ObjectNotFoundError extends Error {
  constructor(readonly key: string) {
    super(`object not found: ${key}`);
    this.name = 'ObjectNotFoundError';
  }
}

export interface PutOptions {
  /** Write only when no object has the key, atomically where the store can (else ObjectExistsError). */
  ifAbsent?: boolean;
}

export interface ObjectStore {
  /** Atomic: a reader sees the whole object or none of it. */
  put(key: string, body: Uint8Array, options?: PutOptions): Promise<void>;
  /** Throws ObjectNotFoundError when missing. */
  get(key: string): Promise<Buffer>;
  /**
   * Optional, for hot paths: reads the object into `target` instead of allocating a buffer per
   * call, and resolves with the object's size. When that size is larger than `target`, nothing
   * (or only a part) is read: the caller compares the size with what it expected. Throws
   * ObjectNotFoundError when missing.
   */
  getInto?(key: string, target: Uint8Array): Promise<number>;
  exists(key: string): Promise<boolean>;
  /** Keys under a prefix, sorted. */
  list(prefix: string): Promise<string[]>;
  /**
   * The names of the folders directly under `prefix` ('' or ending in '/'), sorted: S3's
   * CommonPrefixes with the delimiter '/', Azure's BlobPrefix. Lists a level without its contents.
   */
  listFolders(prefix: string): Promise<string[]>;
  delete(key: string): Promise<void>;
  /** Throws when the store cannot be reached. */
  ping(): Promise<void>;
}
