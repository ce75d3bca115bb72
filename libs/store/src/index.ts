import type { Env } from '@jss/config';
import { FsObjectStore } from './fs-object-store';
import { socketsFor } from './http-agents';
import type { ObjectStore } from './object-store';
import { parseStoreUrl } from './store-url';

export * from './object-store';
export * from './object-key';
export * from './store-errors';
export * from './store-url';
export * from './fs-object-store';
export type { S3StoreOptions } from './s3/s3-object-store';
export type { AzureStoreOptions } from './azure/azure-object-store';

export type StoreEnv = Pick<Env, 'JSS_DATA_DIR' | 'JSS_STORE_LATENCY_MS' | 'JSS_STORE_MBPS'> &
  Partial<
    Pick<
      Env,
      | 'JSS_STORE_URL'
      | 'JSS_S3_FORCE_PATH_STYLE'
      | 'JSS_STORE_TIMEOUT_SECONDS'
      | 'JSS_STORE_ATTEMPTS'
      | 'REHYDRATOR_CONCURRENCY'
      | 'REHYDRATOR_JOBS'
    >
  >;

/**
 * The store JSS_STORE_URL names (the local folder `<JSS_DATA_DIR>/objects` by default, optionally
 * slowed down). Credentials and endpoints come from each SDK's standard variables, read from `sdkEnv`
 * (the process's own environment, or the one a test gives its services).
 */
export function createObjectStore(env: StoreEnv, sdkEnv: NodeJS.ProcessEnv = process.env): ObjectStore {
  const location = parseStoreUrl(env.JSS_STORE_URL, env.JSS_DATA_DIR);
  const timeoutMs = (env.JSS_STORE_TIMEOUT_SECONDS ?? 30) * 1000;
  const maxAttempts = env.JSS_STORE_ATTEMPTS ?? 5;
  switch (location.kind) {
    case 'file':
      return new FsObjectStore(location.root, { latencyMs: env.JSS_STORE_LATENCY_MS, mbps: env.JSS_STORE_MBPS });
    case 's3': {
      // the SDKs are loaded only by the processes that use them (a second or two each on a busy machine)
      const { S3ObjectStore } = require('./s3/s3-object-store') as typeof import('./s3/s3-object-store');
      const { AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: secretAccessKey, AWS_SESSION_TOKEN: sessionToken } = sdkEnv;
      const endpoint = sdkEnv.AWS_ENDPOINT_URL_S3 ?? sdkEnv.AWS_ENDPOINT_URL;
      return new S3ObjectStore({
        ...location,
        // an S3-compatible server rarely cares about the region, but the SDK needs one to sign
        region: sdkEnv.AWS_REGION ?? sdkEnv.AWS_DEFAULT_REGION ?? (endpoint ? 'us-east-1' : undefined),
        endpoint,
        forcePathStyle: env.JSS_S3_FORCE_PATH_STYLE,
        credentials: accessKeyId && secretAccessKey ? { accessKeyId, secretAccessKey, sessionToken } : undefined,
        sockets: socketsFor(env),
        timeoutMs,
        maxAttempts,
      });
    }
    case 'azure': {
      const connectionString = sdkEnv.AZURE_STORAGE_CONNECTION_STRING;
      const { AzureObjectStore } = require('./azure/azure-object-store') as typeof import('./azure/azure-object-store');
      if (!connectionString) throw new Error(`JSS_STORE_URL is ${env.JSS_STORE_URL}: set AZURE_STORAGE_CONNECTION_STRING`);
      return new AzureObjectStore({ ...location, connectionString, timeoutMs, maxAttempts, sockets: socketsFor(env) });
    }
  }
}
