import { S3Client } from '@aws-sdk/client-s3';
import { BlobServiceClient } from '@azure/storage-blob';
import aws4 from 'aws4';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadEnv } from '@jss/config';
import { StoreServer } from '@jss/testing';
import { AzureGetSigning } from './azure/azure-get-signing';
import { createObjectStore } from './index';
import { getSigning } from './s3/s3-get-signing';
import { SignedGets } from './signed-gets';

const credentials = { accessKeyId: 'jss-test', secretAccessKey: 'jss-test-secret' };
const KEY = "n/a b/c!'(d)*";
const BODY = Buffer.from('signed block');

/** What SignedGets reads with the signing under test: the bytes, or undefined when it declined. */
async function read(gets: SignedGets, sign: () => Promise<{ url: string; headers: Record<string, string> } | undefined>) {
  const target = new Uint8Array(64);
  const size = await gets.getInto(sign, target);
  return size === undefined ? undefined : Buffer.from(target.subarray(0, size)).toString();
}

/**
 * The block reads' own signing against the real servers. fauxqs accepts any signature, so S3's is
 * compared with an independent SigV4 implementation (aws4) for the same request and date; Azurite
 * checks SAS signatures itself.
 */
describe('signed GETs', () => {
  let dir: string;
  const servers: Partial<Record<'s3' | 'azure', StoreServer>> = {};

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'jss-signed-'));
    for (const kind of ['s3', 'azure'] as const) {
      const server = (servers[kind] = await StoreServer.start(kind, path.join(dir, kind)));
      const env = { JSS_DATA_DIR: dir, ...server.env() };
      await createObjectStore(loadEnv(env), env).put(KEY, BODY);
    }
  });
  afterAll(async () => {
    for (const server of Object.values(servers)) await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  function sigV4Reference(url: URL, headers: Record<string, string>, region: string): string | undefined {
    const signed = aws4.sign(
      {
        host: url.host,
        path: url.pathname,
        method: 'GET',
        service: 's3',
        region,
        headers: { 'X-Amz-Date': headers['x-amz-date'], 'X-Amz-Content-Sha256': headers['x-amz-content-sha256'] },
      },
      credentials,
    );
    return signed.headers?.Authorization as string | undefined;
  }

  it('S3, path-style: the SigV4 signature aws4 computes, at the URL where the SDK put the object', async () => {
    const client = new S3Client({ endpoint: servers.s3!.endpoint, region: 'us-east-1', forcePathStyle: true, credentials });
    const get = await (await getSigning(client, 'jss-replicas'))!.sign(`replicas/${KEY}`);
    const url = new URL(get.url);
    expect(url.pathname).toBe('/jss-replicas/replicas/n/a%20b/c%21%27%28d%29%2A');
    expect(get.headers.authorization).toBe(sigV4Reference(url, get.headers, 'us-east-1'));
    expect(await read(new SignedGets(2, 5_000), async () => get)).toBe(BODY.toString());
  });

  it('S3 on AWS: the bucket in the host name and the region in the signature, as the SDK resolves them', async () => {
    const client = new S3Client({ region: 'eu-west-1', credentials });
    const get = await (await getSigning(client, 'jss-replicas'))!.sign('replicas/x/0a');
    expect(get.url).toBe('https://jss-replicas.s3.eu-west-1.amazonaws.com/replicas/x/0a');
    expect(get.headers.authorization).toContain('/eu-west-1/s3/aws4_request');
    expect(get.headers.authorization).toBe(sigV4Reference(new URL(get.url), get.headers, 'eu-west-1'));
  });

  it('Azure: a SAS URL Azurite accepts; a SAS it refuses closes the path for good', async () => {
    const container = (key?: string) =>
      BlobServiceClient.fromConnectionString(servers.azure!.env({ accountKey: key }).AZURE_STORAGE_CONNECTION_STRING).getContainerClient(
        'jss-replicas',
      );
    const signing = new AzureGetSigning(container());
    const gets = new SignedGets(2, 5_000);
    expect(signing.sign('replicas/x')!.url).toMatch(/[?&]sp=r&/);
    expect(await read(gets, async () => signing.sign(`replicas/${KEY}`))).toBe(BODY.toString());
    expect(gets.open).toBe(true);

    const wrong = new AzureGetSigning(container(Buffer.from('not the key').toString('base64')));
    expect(await read(gets, async () => wrong.sign(`replicas/${KEY}`))).toBeUndefined();
    expect(gets.open).toBe(false);
    expect(await read(gets, async () => signing.sign(`replicas/${KEY}`))).toBeUndefined();
  });
});
