import { webcrypto } from 'node:crypto';

/**
 * sha256 as lower-case hex, for the writer and imageSha256. WebCrypto's digest runs as a job on
 * the libuv threadpool, so blocks in flight are hashed on every core at once (createHash runs on
 * the event-loop thread); it copies each block first. The rehydration hot path uses HashPool
 * instead (no copy, and the threadpool stays free for the file system): bench/README.md.
 */
export async function sha256Hex(data: Uint8Array): Promise<string> {
  return Buffer.from(await webcrypto.subtle.digest('SHA-256', data)).toString('hex');
}
