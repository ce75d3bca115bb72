// Shannon entropy of a block's byte histogram, in bits per byte: 0 for a block of one repeated
// byte, about 4-5 for text and records, 6-7 for machine code, above 7.9 for encrypted, random
// or well-compressed data. Kept as one byte per block (entropyByte) in a point's summary.

/** H = -Σ p·log2(p) over the 256 byte values of `data` (0 for an empty block). */
export function shannonEntropy(data: Uint8Array): number {
  const n = data.length;
  if (n === 0) return 0;
  // four histograms (one per byte of a 32-bit word, summed at the end): one load per four bytes, and
  // equal neighbouring bytes do not wait on one counter. About a third faster than a byte loop (bench/README.md).
  const h = new Uint32Array(1024);
  const aligned = data.byteOffset % 4 === 0;
  const words = aligned ? new Uint32Array(data.buffer, data.byteOffset, n >>> 2) : new Uint32Array(0);
  for (let i = 0; i < words.length; i++) {
    const x = words[i];
    h[x & 255]++;
    h[256 + ((x >>> 8) & 255)]++;
    h[512 + ((x >>> 16) & 255)]++;
    h[768 + (x >>> 24)]++;
  }
  for (let i = words.length * 4; i < n; i++) h[data[i]]++;
  let bits = 0;
  for (let v = 0; v < 256; v++) {
    const count = h[v] + h[256 + v] + h[512 + v] + h[768 + v];
    if (count === 0) continue;
    const p = count / n;
    bits -= p * Math.log2(p);
  }
  return bits;
}

/** Bits per byte (0-8) as one byte (0-255), about 0.03 bits a step. */
export const entropyByte = (bits: number): number => Math.max(0, Math.min(255, Math.round((bits * 255) / 8)));

/** The bits per byte a summary byte stands for. */
export const bitsOf = (byte: number): number => (byte * 8) / 255;
