/**
 * Block-sized ArrayBuffers kept between range jobs of a process: a fresh buffer costs a page fault
 * per 4 KiB on first use (and on this kind of VM the host faults too), a reused one nothing.
 * At most MAX_KEPT_BYTES are kept; what a job has in hand is bounded by its concurrency.
 */
const MAX_KEPT_BYTES = 64 << 20;

const kept = new Map<number, ArrayBuffer[]>();
let keptBytes = 0;

/** A buffer of exactly `size` bytes, owned by the caller until given back. */
export function takeBlockBuffer(size: number): ArrayBuffer {
  const list = kept.get(size);
  const buffer = list?.pop();
  if (buffer) {
    keptBytes -= size;
    return buffer;
  }
  return new ArrayBuffer(size);
}

/** Hands a buffer back (it must not be used any more). */
export function giveBlockBuffer(buffer: ArrayBuffer): void {
  if (buffer.byteLength === 0 || keptBytes + buffer.byteLength > MAX_KEPT_BYTES) return; // detached, or enough kept
  let list = kept.get(buffer.byteLength);
  if (!list) kept.set(buffer.byteLength, (list = []));
  list.push(buffer);
  keptBytes += buffer.byteLength;
}
