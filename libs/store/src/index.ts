import * as path from 'node:path';
import type { Env } from '@jss/config';
import { FsObjectStore } from './fs-object-store';
import type { ObjectStore } from './object-store';

export * from './object-store';
export * from './object-key';
export * from './fs-object-store';

/** The store the services use: the local folder `<JSS_DATA_DIR>/objects`, optionally slowed down. */
export function createObjectStore(env: Pick<Env, 'JSS_DATA_DIR' | 'JSS_STORE_LATENCY_MS' | 'JSS_STORE_MBPS'>): ObjectStore {
  return new FsObjectStore(path.join(env.JSS_DATA_DIR, 'objects'), {
    latencyMs: env.JSS_STORE_LATENCY_MS,
    mbps: env.JSS_STORE_MBPS,
  });
}
