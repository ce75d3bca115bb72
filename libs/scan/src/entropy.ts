// Shannon entropy of a block's byte histogram, in bits per byte: 0 for a block of one repeated
// byte, about 4-5 for text and records, 6-7 for machine code, above 7.9 for encrypted, random
// or well-compressed data. Kept as one byte per block (entropyByte) in a point's summary.

/** H = -Σ p·log2(p) over the 256 byte values of `data` (0 for an empty block). */
export function shannonEntropy(data: Uint8Array): number {
  const n = data.length;
  if (n === 0) return 0;
  // four histograms, summed at the end: consecutive equal bytes do not wait on one counter
  const h0 = new Uint32Array(256);
  const h1 = new Uint32Array(256);
  const h2 = new Uint32Array(256);
  const h3 = new Uint32Array(256);
  const end = n - (n % 4);
  for (let i = 0; i < end; i += 4) {
    h0[data[i]]++;
    h1[data[i + 1]]++;
    h2[data[i + 2]]++;
    h3[data[i + 3]]++;
  }
  for (let i = end; i < n; i++) h0[data[i]]++;
  let bits = 0;
  for (let v = 0; v < 256; v++) {
    const count = h0[v] + h1[v] + h2[v] + h3[v];
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
