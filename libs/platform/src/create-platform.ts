import type { Env } from '@jss/config';
import type { Redis } from 'ioredis';
import type { Platform } from './platform';
import { SimPlatform } from './sim/sim-platform';
import { loadSiteFile } from './vsphere/site-file';
import { VspherePlatform } from './vsphere/vsphere-platform';

type PlatformEnv = Pick<
  Env,
  | 'JSS_DATA_DIR'
  | 'JSS_TEST_CRASH_AT'
  | 'JSS_PLATFORM'
  | 'JSS_VSPHERE_URL'
  | 'JSS_VSPHERE_USER'
  | 'JSS_VSPHERE_PASSWORD'
  | 'JSS_VSPHERE_INSECURE'
  | 'JSS_VSPHERE_SITE_FILE'
>;

/**
 * The platform the services use: JSS_PLATFORM=sim (default), the simulated vCenter, for which
 * `redis` must be created with keyPrefix = REDIS_PREFIX so that every process of an installation
 * shares one inventory; or JSS_PLATFORM=vsphere, a vCenter through vim25 SOAP and a site file.
 */
export function createPlatform(redis: Redis, env: PlatformEnv): Platform {
  if (env.JSS_PLATFORM === 'sim') {
    // the platform's own crash points only (the scanner and the janitor have one each of their own)
    const at = env.JSS_TEST_CRASH_AT;
    const crashAt = at === 'create-before-commit' || at === 'adopt-before-commit' ? at : undefined;
    return new SimPlatform(redis, env.JSS_DATA_DIR, { crashAt });
  }
  const { JSS_VSPHERE_URL: url, JSS_VSPHERE_USER: user, JSS_VSPHERE_PASSWORD: password, JSS_VSPHERE_SITE_FILE: siteFile } = env;
  if (url === undefined || user === undefined || password === undefined || siteFile === undefined) {
    const given = { JSS_VSPHERE_URL: url, JSS_VSPHERE_USER: user, JSS_VSPHERE_PASSWORD: password, JSS_VSPHERE_SITE_FILE: siteFile };
    const missing = Object.entries(given).filter(([, v]) => v === undefined);
    throw new Error(`JSS_PLATFORM=vsphere needs ${missing.map(([k]) => k).join(', ')}`);
  }
  return new VspherePlatform({ url, user, password, insecure: env.JSS_VSPHERE_INSECURE, site: loadSiteFile(siteFile) });
}
