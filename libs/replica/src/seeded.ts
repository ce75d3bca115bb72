import { createCipheriv, createHash } from 'node:crypto';

// Reproducible pseudo-random data for generated disks and snapshots. Every decision is drawn from
// sha256 of what identifies it (seed, VM, size, block index, ...) — a counter-based PRNG — so any
// block can be produced on its own, in any order, and is the same on every machine.

/** 32 bytes that depend only on `parts`. */
export function seedOf(...parts: Array<string | number>): Buffer {
  return createHash('sha256').update(parts.join('\u0000')).digest();
}

/** `length` incompressible bytes: the AES-128-CTR keystream keyed by the seed (GB/s, unlike a JS PRNG). */
export function randomBytesOf(seed: Buffer, length: number): Buffer {
  const cipher = createCipheriv('aes-128-ctr', seed.subarray(0, 16), seed.subarray(16, 32));
  return cipher.update(Buffer.alloc(length));
}

/** A uniform float generator in [0, 1) (sfc32) seeded by the first 16 bytes of `seed`. */
export function randomFloatsOf(seed: Buffer): () => number {
  let a = seed.readUInt32LE(0);
  let b = seed.readUInt32LE(4);
  let c = seed.readUInt32LE(8);
  let d = seed.readUInt32LE(12);
  return () => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
}

/** `count` distinct indexes out of [0, n), sorted, drawn by `random` (partial Fisher-Yates). */
export function sampleIndexes(n: number, count: number, random: () => number): number[] {
  const order = Uint32Array.from({ length: n }, (_, i) => i);
  for (let i = 0; i < count; i++) {
    const j = i + Math.floor(random() * (n - i));
    [order[i], order[j]] = [order[j], order[i]];
  }
  return Array.from(order.subarray(0, count)).sort((a, b) => a - b);
}
