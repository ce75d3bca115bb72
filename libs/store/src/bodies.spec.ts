import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { copyInto, readInto } from './bodies';

// shared memory, as the rehydrator's block slots are
const sharedBytes = (n: number) => new Uint8Array(new SharedArrayBuffer(n));

describe('copyInto', () => {
  it('copies every byte at every alignment of source and target, shared or not', () => {
    const source = randomBytes(200_000);
    for (const target of [sharedBytes(300_000), new Uint8Array(300_000)]) {
      for (const [from, to, length] of [
        [0, 0, 70_000],
        [313, 0, 65_223],
        [0, 65_223, 65_536],
        [5, 11, 150_000], // longer than the staging buffer: several pieces
        [8, 3, 1],
        [7, 7, 20_000],
      ]) {
        target.fill(0);
        copyInto(target, to, source.subarray(from, from + length));
        expect(Buffer.from(target.subarray(to, to + length)).equals(source.subarray(from, from + length))).toBe(true);
        expect(target.subarray(0, to).every((b) => b === 0)).toBe(true); // nothing before it
        expect(target.subarray(to + length).every((b) => b === 0)).toBe(true); // nor after it
      }
    }
  });
});

describe('readInto', () => {
  it('reads a body of odd-sized chunks into shared memory and counts what does not fit', async () => {
    const body = randomBytes(1 << 20);
    const sizes = [313, 65_223, 65_536, 1, 7, 100_000];
    const chunks: Buffer[] = [];
    for (let at = 0; at < body.length; at += chunks[chunks.length - 1].length) {
      chunks.push(body.subarray(at, at + sizes[chunks.length % sizes.length]));
    }
    const target = sharedBytes(1 << 20);
    expect(await readInto(Readable.from(chunks), target)).toBe(body.length);
    expect(Buffer.from(target).equals(body)).toBe(true);
    const short = sharedBytes(1000);
    expect(await readInto(Readable.from(chunks), short.subarray(0, 1000))).toBe(body.length);
    expect(Buffer.from(short).equals(body.subarray(0, 1000))).toBe(true);
  });
});
