import { BlobServiceClient, ContainerClient, RestError } from '@azure/storage-blob';
import type { Readable } from 'node:stream';
import { readAll, readInto } from '../bodies';
import { KeySpace } from '../key-space';
import { ObjectNotFoundError, ObjectStore, PutOptions } from '../object-store';
import { SignedGets } from '../signed-gets';
import { ObjectExistsError, StoreUnreachableError } from '../store-errors';
import { AzureGetSigning } from './azure-get-signing';

export interface AzureStoreOptions {
  /** AZURE_STORAGE_CONNECTION_STRING: account, key or SAS, endpoint */
  connectionString: string;
  container: string;
  /** name prefix inside the container, without '/' at either end ('' = the whole container) */
  prefix: string;
  /** per attempt; an attempt that takes longer is retried */
  timeoutMs: number;
  /** attempts per request, exponential backoff between them */
  maxAttempts: number;
  /** size of the block reads' connection pool: at least the reads made at once */
  sockets: number;
}

/**
 * The store in an Azure Blob container through @azure/storage-blob. The SDK's HTTP client keeps
 * connections alive in an agent without a socket limit (Node's default), so it never caps the reads
 * in flight; its retry policy backs off exponentially on network errors, timeouts, 429 and 5xx.
 * What outlives the retries, and any authentication or permission failure, is a StoreUnreachableError.
 * Block reads (getInto) go first as plain GETs of SAS URLs (AzureGetSigning, SignedGets); whatever
 * that path declines goes through the SDK.
 */
export class AzureObjectStore implements ObjectStore {
  private readonly container: ContainerClient;
  private readonly keys: KeySpace;
  private readonly gets: SignedGets;
  private readonly signing: AzureGetSigning;
  readonly description: string;

  constructor(options: AzureStoreOptions) {
    let service: BlobServiceClient;
    try {
      service = BlobServiceClient.fromConnectionString(options.connectionString, {
        retryOptions: { maxTries: options.maxAttempts, tryTimeoutInMs: options.timeoutMs, retryDelayInMs: 200, maxRetryDelayInMs: 5_000 },
      });
    } catch (err) {
      throw new Error(`AZURE_STORAGE_CONNECTION_STRING is not a valid connection string: ${(err as Error).message}`);
    }
    this.container = service.getContainerClient(options.container);
    this.keys = new KeySpace(options.prefix);
    this.gets = new SignedGets(options.sockets, options.timeoutMs);
    this.signing = new AzureGetSigning(this.container);
    this.description = `Azure container "${options.container}" of account "${service.accountName}" at ${new URL(service.url).origin}`;
  }

  /** ifAbsent sends `If-None-Match: *`, which Azure Blob (and Azurite) enforce atomically. */
  async put(key: string, body: Uint8Array, options: PutOptions = {}): Promise<void> {
    const blob = this.container.getBlockBlobClient(this.keys.key(key));
    await this.call(key, () => blob.uploadData(body, { conditions: options.ifAbsent ? { ifNoneMatch: '*' } : undefined }));
  }

  async get(key: string): Promise<Buffer> {
    const blob = this.container.getBlobClient(this.keys.key(key));
    return this.call(key, async () => readAll((await blob.download(0)).readableStreamBody as Readable));
  }

  async getInto(key: string, target: Uint8Array): Promise<number> {
    const name = this.keys.key(key);
    const size = await this.gets.getInto(async () => this.signing.sign(name), target);
    if (size !== undefined) return size;
    const blob = this.container.getBlobClient(name);
    return this.call(key, async () => readInto((await blob.download(0)).readableStreamBody as Readable, target));
  }

  async exists(key: string): Promise<boolean> {
    const blob = this.container.getBlobClient(this.keys.key(key));
    return this.call(key, () => blob.exists());
  }

  async list(prefix: string): Promise<string[]> {
    const full = this.keys.prefix(prefix);
    return this.call(prefix, async () => {
      const keys: string[] = [];
      for await (const blob of this.container.listBlobsFlat({ prefix: full })) {
        const key = this.keys.strip(blob.name);
        if (key) keys.push(key);
      }
      return keys.sort();
    });
  }

  async listFolders(prefix: string): Promise<string[]> {
    const full = this.keys.prefix(prefix, true);
    return this.call(prefix, async () => {
      const folders: string[] = [];
      for await (const item of this.container.listBlobsByHierarchy('/', { prefix: full })) {
        if (item.kind === 'prefix') folders.push(this.keys.folder(item.name, prefix));
      }
      return folders.filter((f) => f !== '' && !f.startsWith('.')).sort();
    });
  }

  async delete(key: string): Promise<void> {
    const blob = this.container.getBlobClient(this.keys.key(key));
    await this.call(key, () => blob.deleteIfExists());
  }

  /** One listing of at most one blob: needs the same (list, read) permissions as recovery does. */
  async ping(): Promise<void> {
    const full = this.keys.prefix('');
    await this.call('', () => this.container.listBlobsFlat({ prefix: full }).byPage({ maxPageSize: 1 }).next());
  }

  /** Maps the SDK's errors (after its retries) to the store's. */
  private async call<T>(key: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof RestError) {
        if (err.statusCode === 404 && err.code === 'BlobNotFound') throw new ObjectNotFoundError(key);
        if (err.code === 'BlobAlreadyExists' || (err.statusCode === 412 && err.code === 'ConditionNotMet'))
          throw new ObjectExistsError(key);
      }
      throw new StoreUnreachableError(this.description, err);
    }
  }
}
