import { createHash, randomBytes } from 'node:crypto';
import { structuredBytes } from '@jss/replica';
import { bitsOf, entropyByte, shannonEntropy } from './entropy';

describe('Shannon entropy of a block', () => {
  it('is 0 for one repeated byte, 1 for two equally frequent ones, 8 for all 256 equally often', () => {
    expect(shannonEntropy(Buffer.alloc(4096, 7))).toBe(0);
    expect(shannonEntropy(new Uint8Array(0))).toBe(0);
    expect(shannonEntropy(Buffer.from('abababab'))).toBeCloseTo(1, 10);
    expect(shannonEntropy(Uint8Array.from({ length: 256 * 16 + 3 }, (_, i) => i % 256))).toBeCloseTo(8, 2);
  });

  it('puts random data near 8 and structured records well below 7, at 4 KiB and 1 MiB', () => {
    for (const size of [4096, 1 << 20]) {
      expect(shannonEntropy(randomBytes(size))).toBeGreaterThan(7.9);
      const structured = shannonEntropy(structuredBytes(createHash('sha256').update(`spec ${size}`).digest(), size));
      expect(structured).toBeGreaterThan(3);
      expect(structured).toBeLessThan(6);
    }
  });

  it('is the same for a block at any alignment and of any length', () => {
    const data = randomBytes(4099);
    const bytes = new Uint8Array(data.length + 3);
    for (let at = 0; at < 4; at++) {
      bytes.set(data, at);
      const view = bytes.subarray(at, at + data.length);
      expect(shannonEntropy(view)).toBeCloseTo(shannonEntropy(data), 10);
      expect(shannonEntropy(view.subarray(0, 4097 - at))).toBeCloseTo(shannonEntropy(data.subarray(0, 4097 - at)), 10);
    }
  });

  it('keeps one byte per block, about 0.03 bits a step', () => {
    expect(entropyByte(0)).toBe(0);
    expect(entropyByte(8)).toBe(255);
    expect(entropyByte(9)).toBe(255);
    for (const bits of [0.5, 4.2, 7.0, 7.9, 7.99]) expect(Math.abs(bitsOf(entropyByte(bits)) - bits)).toBeLessThanOrEqual(8 / 255 / 2);
  });
});
