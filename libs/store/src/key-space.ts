import type { Readable } from 'node:stream';
import { assertObjectKey, assertObjectPrefix } from './object-key';

/** Object keys under a bucket's or container's prefix: checks keys and adds or strips the prefix. */
export class KeySpace {
  private readonly root: string;

  constructor(prefix: string) {
    this.root = prefix ? `${prefix}/` : '';
  }

  key(key: string): string {
    assertObjectKey(key);
    return this.root + key;
  }

  /** A list prefix; a folder prefix must be '' or end with '/'. */
  prefix(prefix: string, folder = false): string {
    assertObjectPrefix(prefix);
    if (folder && prefix !== '' && !prefix.endsWith('/')) throw new Error(`a folder prefix is '' or ends with '/', got "${prefix}"`);
    return this.root + prefix;
  }

  /** The store's key of a full name, or null for one outside the prefix. */
  strip(name: string): string | null {
    return name.startsWith(this.root) ? name.slice(this.root.length) : null;
  }

  /** A delimiter listing's folder ("<root><prefix>name/") → "name". */
  folder(name: string, prefix: string): string {
    return name.slice(this.root.length + prefix.length).replace(/\/$/, '');
  }
}

/**
 * Reads a response body into `target`; resolves with the body's full size. Bytes beyond `target`
 * are counted, not kept, so that the caller sees the size mismatch (as FsObjectStore.getInto does).
 */
export async function readInto(body: Readable, target: Uint8Array): Promise<number> {
  let size = 0;
  for await (const chunk of body as AsyncIterable<Uint8Array>) {
    if (size < target.length) target.set(chunk.subarray(0, target.length - size), size);
    size += chunk.length;
  }
  return size;
}

export async function readAll(body: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of body as AsyncIterable<Uint8Array>) chunks.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
  return Buffer.concat(chunks);
}
