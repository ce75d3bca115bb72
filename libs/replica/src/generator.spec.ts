import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { deflateSync } from 'node:zlib';
import { GENERATED_CHUNK, generatedImage, writeGeneratedImage } from './generator';
import { isAllZero } from './zeros';

const digest = (chunks: Iterable<Buffer>) => {
  const hash = createHash('sha256');
  for (const chunk of chunks) hash.update(chunk);
  return hash.digest('hex');
};

describe('generated images', () => {
  it('depend only on size, seed and VM name', () => {
    const size = 3 * GENERATED_CHUNK + 5;
    expect(digest(generatedImage(size, 1, 'web'))).toBe(digest(generatedImage(size, 1, 'web')));
    expect(digest(generatedImage(size, 2, 'web'))).not.toBe(digest(generatedImage(size, 1, 'web')));
    expect(digest(generatedImage(size, 1, 'db'))).not.toBe(digest(generatedImage(size, 1, 'web')));
    expect([...generatedImage(size, 1, 'web')].map((c) => c.length)).toEqual([GENERATED_CHUNK, GENERATED_CHUNK, GENERATED_CHUNK, 5]);
    expect([...generatedImage(0, 1, 'web')]).toEqual([]);
  });

  it('mix about half random, a quarter compressible and a quarter zero chunks', () => {
    const counts = { random: 0, text: 0, zero: 0 };
    for (const chunk of generatedImage(128 * GENERATED_CHUNK, 42, 'mix')) {
      const sample = chunk.subarray(0, 64 << 10);
      const ratio = deflateSync(sample, { level: 1 }).length / sample.length;
      if (isAllZero(chunk)) counts.zero++;
      else if (ratio < 0.1) counts.text++;
      else if (ratio > 0.99) counts.random++;
      else throw new Error(`unexpected chunk, compression ratio ${ratio}`);
    }
    expect(counts.random).toBeGreaterThanOrEqual(48);
    expect(counts.random).toBeLessThanOrEqual(80);
    expect(counts.text).toBeGreaterThanOrEqual(20);
    expect(counts.zero).toBeGreaterThanOrEqual(20);
  });

  it('makes structured images of distinct, compressible record blocks and a quarter zeros, from the seed alone', () => {
    const size = 64 * GENERATED_CHUNK;
    const chunks = [...generatedImage(size, 5, 'db', 'structured')];
    expect(digest(chunks)).toBe(digest(generatedImage(size, 5, 'db', 'structured')));
    expect(digest(chunks)).not.toBe(digest(generatedImage(size, 5, 'db')));
    const data = chunks.filter((c) => !isAllZero(c));
    expect(data.length).toBeGreaterThanOrEqual(40);
    expect(data.length).toBeLessThanOrEqual(56);
    expect(new Set(data.map((c) => digest([c]))).size).toBe(data.length);
    for (const c of data) expect(deflateSync(c, { level: 1 }).length / c.length).toBeLessThan(0.5);
    expect(data[0].toString('latin1', 0, 200)).toMatch(/^#[0-9a-f]{16}\/0000\n.*order \d+ account acct-\d+ amount/s);
  });

  it('writes the image to a sparse file', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'jss-gen-'));
    try {
      const file = path.join(dir, 'web.img');
      const size = 6 * GENERATED_CHUNK + 1;
      await writeGeneratedImage(file, size, 9, 'web');
      expect(
        createHash('sha256')
          .update(await fs.readFile(file))
          .digest('hex'),
      ).toBe(digest(generatedImage(size, 9, 'web')));
      await expect(writeGeneratedImage(file, size, 9, 'web')).rejects.toThrow('EEXIST');
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});
