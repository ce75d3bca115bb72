import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  S3ClientConfig,
  paginateListObjectsV2,
} from '@aws-sdk/client-s3';
import type { Readable } from 'node:stream';
import { keepAliveAgents } from '../http-agents';
import { readAll, readInto } from '../bodies';
import { KeySpace } from '../key-space';
import { ObjectNotFoundError, ObjectStore, PutOptions } from '../object-store';
import { SignedGets } from '../signed-gets';
import { ObjectExistsError, StoreUnreachableError } from '../store-errors';
import { GetSigning, getSigning } from './s3-get-signing';

export interface S3StoreOptions {
  bucket: string;
  /** key prefix inside the bucket, without '/' at either end ('' = the whole bucket) */
  prefix: string;
  region?: string;
  /** an S3-compatible endpoint (AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL); none = AWS */
  endpoint?: string;
  forcePathStyle?: boolean;
  /** none = the SDK's default chain (environment, profile, instance role) */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** size of the keep-alive socket pool: at least the requests made at once */
  sockets: number;
  /** per request; a request that takes longer is retried */
  timeoutMs: number;
  /** attempts per request, with the SDK's standard exponential backoff between them */
  maxAttempts: number;
}

/**
 * The store in an S3 bucket (or an S3-compatible server) through the AWS SDK v3. Network, DNS,
 * timeouts, authentication, permissions and throttling are retried by the SDK (standard mode:
 * exponential backoff with jitter); what outlives the retries is a StoreUnreachableError. Block
 * reads (getInto) go first as GETs signed here with the SDK's own SigV4 signer, to the URL the SDK
 * resolves for the bucket (SignedGets); whatever that path declines goes through the SDK.
 */
export class S3ObjectStore implements ObjectStore {
  private readonly client: S3Client;
  private readonly keys: KeySpace;
  private readonly bucket: string;
  private readonly gets: SignedGets;
  private signing?: Promise<GetSigning | undefined>;
  readonly description: string;

  constructor(options: S3StoreOptions) {
    this.bucket = options.bucket;
    this.keys = new KeySpace(options.prefix);
    this.description = `S3 bucket "${options.bucket}"${options.endpoint ? ` at ${options.endpoint}` : ''}`;
    const config: S3ClientConfig = {
      region: options.region,
      endpoint: options.endpoint,
      forcePathStyle: options.forcePathStyle,
      credentials: options.credentials,
      maxAttempts: options.maxAttempts,
      retryMode: 'standard',
      // every block is verified by its sha256: the SDK's CRC32 on each body would only cost CPU
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      requestHandler: {
        ...keepAliveAgents(options.sockets),
        connectionTimeout: Math.min(options.timeoutMs, 10_000),
        requestTimeout: options.timeoutMs,
        throwOnRequestTimeout: true,
      },
    };
    quietNodeVersionNotice();
    this.client = new S3Client(config);
    this.gets = new SignedGets(options.sockets, options.timeoutMs);
  }

  /**
   * ifAbsent sends `If-None-Match: *`, which AWS S3 enforces atomically (412 when the key exists).
   * Servers that ignore the header (fauxqs, older S3-compatible stores) would overwrite, so the key is
   * also looked up first: that closes all but a race between two writers of the same key.
   */
  async put(key: string, body: Uint8Array, options: PutOptions = {}): Promise<void> {
    const name = this.keys.key(key);
    if (options.ifAbsent && (await this.exists(key))) throw new ObjectExistsError(key);
    await this.call(key, () =>
      this.client.send(
        new PutObjectCommand({ Bucket: this.bucket, Key: name, Body: body, IfNoneMatch: options.ifAbsent ? '*' : undefined }),
      ),
    );
  }

  async get(key: string): Promise<Buffer> {
    const name = this.keys.key(key);
    return this.call(key, async () =>
      readAll((await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: name }))).Body as Readable),
    );
  }

  async getInto(key: string, target: Uint8Array): Promise<number> {
    const name = this.keys.key(key);
    const size = await this.gets.getInto(async () => (await (this.signing ??= getSigning(this.client, this.bucket)))?.sign(name), target);
    if (size !== undefined) return size;
    return this.call(key, async () =>
      readInto((await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: name }))).Body as Readable, target),
    );
  }

  async exists(key: string): Promise<boolean> {
    const name = this.keys.key(key);
    try {
      await this.call(key, () => this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: name })));
      return true;
    } catch (err) {
      if (err instanceof ObjectNotFoundError) return false;
      throw err;
    }
  }

  async list(prefix: string): Promise<string[]> {
    const full = this.keys.prefix(prefix);
    return this.call(prefix, async () => {
      const keys: string[] = [];
      for await (const page of paginateListObjectsV2({ client: this.client }, { Bucket: this.bucket, Prefix: full })) {
        for (const o of page.Contents ?? []) {
          const key = o.Key === undefined ? null : this.keys.strip(o.Key);
          if (key) keys.push(key);
        }
      }
      return keys.sort();
    });
  }

  async listFolders(prefix: string): Promise<string[]> {
    const full = this.keys.prefix(prefix, true);
    return this.call(prefix, async () => {
      const folders: string[] = [];
      for await (const page of paginateListObjectsV2({ client: this.client }, { Bucket: this.bucket, Prefix: full, Delimiter: '/' })) {
        for (const p of page.CommonPrefixes ?? []) if (p.Prefix) folders.push(this.keys.folder(p.Prefix, prefix));
      }
      return folders.filter((f) => f !== '' && !f.startsWith('.')).sort();
    });
  }

  async delete(key: string): Promise<void> {
    const name = this.keys.key(key);
    await this.call(key, () => this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: name })));
  }

  /** One listing of at most one key: needs the same permission (s3:ListBucket) as recovery does. */
  async ping(): Promise<void> {
    const full = this.keys.prefix('');
    await this.call('', () => this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: full, MaxKeys: 1 })));
  }

  /** Maps the SDK's errors (after its retries) to the store's. */
  private async call<T>(key: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
      const status = e.$metadata?.httpStatusCode;
      if (e.name === 'NoSuchKey' || (e.name === 'NotFound' && status === 404)) throw new ObjectNotFoundError(key);
      if (status === 412 || e.name === 'PreconditionFailed' || e.name === 'ConditionalRequestConflict') throw new ObjectExistsError(key);
      throw new StoreUnreachableError(this.description, err);
    }
  }
}

/**
 * The pinned SDK is the last release for Node 20 (docs/choices.md). On Node 20 it prints, once per
 * process, a 9-line notice that later releases will need Node 22: nothing a user of this
 * installation can act on, so every jssctl call against S3 would print it. The SDK's own switch
 * silences that one notice; a value set by the user (`false` to see it) is kept.
 */
function quietNodeVersionNotice(): void {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
}
