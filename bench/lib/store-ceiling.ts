// The ceiling of an object-store server, in a process of its own (as fresh as the rehydrators it is
// compared with; in the bench's own process the ceiling depended on how large that process's heap
// had grown): a plain client of the same SDK reading the given keys with IN_FLIGHT GETs at once,
// the bytes thrown away. Run by bench/lib/object-stores.ts:
//   node store-ceiling.js <file with the keys as JSON> [GETs in flight, default IN_FLIGHT]
// (the store from JSS_STORE_URL and the SDK variables)
// prints {"seconds", "bytes", "cpuSeconds"} on stdout.
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { BlobServiceClient } from '@azure/storage-blob';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { Readable } from 'node:stream';
import { parseStoreUrl } from '@jss/store';
import { secondsSince } from './measure';

export const IN_FLIGHT = 32;

/** Discards a response body as fast as it arrives. */
async function drain(body: Readable): Promise<number> {
  let n = 0;
  for await (const chunk of body as AsyncIterable<Uint8Array>) n += chunk.length;
  return n;
}

/** A plain SDK client reading every block of the point with `inFlight` GETs at once: seconds, bytes. */
async function ceiling(env: NodeJS.ProcessEnv, keys: string[], inFlight: number): Promise<{ seconds: number; bytes: number }> {
  const location = parseStoreUrl(env.JSS_STORE_URL, env.JSS_DATA_DIR ?? '.');
  const full = (key: string) => ('prefix' in location && location.prefix ? `${location.prefix}/${key}` : key);
  let get: (key: string) => Promise<number>;
  let close = () => undefined as void;
  if (location.kind === 's3') {
    const client = new S3Client({
      endpoint: env.AWS_ENDPOINT_URL_S3,
      region: env.AWS_REGION,
      forcePathStyle: true,
      credentials: { accessKeyId: env.AWS_ACCESS_KEY_ID!, secretAccessKey: env.AWS_SECRET_ACCESS_KEY! },
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      requestHandler: { httpAgent: new http.Agent({ keepAlive: true, maxSockets: inFlight }) },
    });
    get = async (key) => drain((await client.send(new GetObjectCommand({ Bucket: location.bucket, Key: full(key) }))).Body as Readable);
    close = () => client.destroy();
  } else if (location.kind === 'azure') {
    const container = BlobServiceClient.fromConnectionString(env.AZURE_STORAGE_CONNECTION_STRING!).getContainerClient(location.container);
    get = async (key) => drain((await container.getBlobClient(full(key)).download(0)).readableStreamBody as Readable);
  } else {
    throw new Error('the ceiling is measured for S3 and Azure only');
  }
  let next = 0;
  let bytes = 0;
  const t = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < keys.length) {
        const n = await get(keys[next++]);
        bytes += n; // after the await: `bytes += await` would add to a stale value
      }
    }),
  );
  const seconds = secondsSince(t);
  close();
  return { seconds, bytes };
}

if (require.main === module) {
  const keys = JSON.parse(readFileSync(process.argv[2], 'utf8')) as string[];
  const cpu0 = process.cpuUsage();
  ceiling(process.env, keys, Number(process.argv[3] ?? IN_FLIGHT)).then(
    ({ seconds, bytes }) => {
      const cpu = process.cpuUsage(cpu0);
      process.stdout.write(JSON.stringify({ seconds, bytes, cpuSeconds: (cpu.user + cpu.system) / 1e6 }) + '\n');
    },
    (err: unknown) => {
      console.error(err);
      process.exitCode = 1;
    },
  );
}
