// One shared, never-written buffer of zeros, grown to the largest length asked for: zero-block
// detection (a native memcmp), zero fills and hashing of zero blocks need no allocation per block.
let zeros = Buffer.alloc(0);

/** `length` zero bytes. Read-only: callers must never write into it. */
export function zeroBytes(length: number): Buffer {
  if (zeros.length < length) zeros = Buffer.alloc(length);
  return zeros.subarray(0, length);
}

export const isAllZero = (data: Uint8Array): boolean => zeroBytes(data.length).equals(data);
