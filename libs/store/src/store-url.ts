import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { redactSecrets } from '@jss/config';

/** Where JSS_STORE_URL says the replicas are. */
export type StoreLocation =
  { kind: 'file'; root: string } | { kind: 's3'; bucket: string; prefix: string } | { kind: 'azure'; container: string; prefix: string };

/**
 * `file:///path`, `s3://bucket[/prefix]` or `azure://container[/prefix]`; none means the folder
 * `<dataDir>/objects`. A prefix is stored without its leading and trailing '/'.
 */
export function parseStoreUrl(value: string | undefined, dataDir: string): StoreLocation {
  if (!value) return { kind: 'file', root: path.join(dataDir, 'objects') };
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(
      `JSS_STORE_URL "${redactSecrets(value)}" is not a URL: use file:///path, s3://bucket[/prefix] or azure://container[/prefix]`,
    );
  }
  const prefix = decodeURIComponent(url.pathname).replace(/^\/+|\/+$/g, '');
  if (prefix.includes('//')) throw new Error(`JSS_STORE_URL "${redactSecrets(value)}": the prefix may not contain empty segments`); // URL resolves "." and ".." itself
  switch (url.protocol) {
    case 'file:':
      return { kind: 'file', root: fileURLToPath(url) };
    case 's3:':
      if (!url.hostname) throw new Error(`JSS_STORE_URL "${redactSecrets(value)}" names no bucket: use s3://bucket[/prefix]`);
      return { kind: 's3', bucket: url.hostname, prefix };
    case 'azure:':
      if (!url.hostname) throw new Error(`JSS_STORE_URL "${redactSecrets(value)}" names no container: use azure://container[/prefix]`);
      return { kind: 'azure', container: url.hostname, prefix };
    default:
      throw new Error(`JSS_STORE_URL "${redactSecrets(value)}": unsupported scheme "${url.protocol}"; use file://, s3:// or azure://`);
  }
}
