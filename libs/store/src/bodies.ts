import type { Readable } from 'node:stream';

/**
 * Reads a response body into `target`; resolves with the body's full size. Bytes beyond `target`
 * are counted, not kept, so that the caller sees the size mismatch (as FsObjectStore.getInto does).
 */
export async function readInto(body: Readable, target: Uint8Array): Promise<number> {
  let size = 0;
  for await (const chunk of body as AsyncIterable<Uint8Array>) {
    if (size < target.length) copyInto(target, size, chunk.subarray(0, target.length - size));
    size += chunk.length;
  }
  return size;
}

export async function readAll(body: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of body as AsyncIterable<Uint8Array>) chunks.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
  return Buffer.concat(chunks);
}

const WORD = 8;
/** A plain (unshared) buffer that re-aligns chunks on their way into shared memory (see copyInto). */
const staging = new Uint8Array((64 << 10) + WORD);

/**
 * `target.set(src, offset)`, without V8's slow path into shared memory. V8 copies into a
 * SharedArrayBuffer (the rehydrator's block slots) word by word only where both addresses are
 * 8-byte congruent, else byte by byte: 0.5 CPU s per GiB against 0.08 (bench/README.md). An HTTP
 * body's chunks are rarely congruent with their place in the block (the first one follows the
 * headers), so such a chunk is first copied into `staging` at an offset that makes it so: that
 * copy is between unshared buffers, a plain memcpy. Offsets within buffers stand for addresses:
 * V8 allocates buffers' memory at least 8-byte aligned.
 */
export function copyInto(target: Uint8Array, offset: number, src: Uint8Array): void {
  const shift = (target.byteOffset + offset) % WORD;
  if (!(target.buffer instanceof SharedArrayBuffer) || src.byteOffset % WORD === shift) {
    target.set(src, offset);
    return;
  }
  const piece = staging.length - WORD; // a multiple of WORD: every piece starts congruent
  for (let done = 0; done < src.length; done += piece) {
    const n = Math.min(piece, src.length - done);
    staging.set(src.subarray(done, done + n), shift);
    target.set(staging.subarray(shift, shift + n), offset + done);
  }
}
