import { createHash, randomBytes } from 'node:crypto';
import { HashPool, inlineHasher, subtleHasher } from './hash-pool';

const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');

describe('HashPool', () => {
  let pool: HashPool;
  beforeEach(() => (pool = new HashPool(2)));
  afterEach(() => pool.close());

  it('hashes the first `length` bytes on a worker thread and hands the buffer back', async () => {
    const bytes = randomBytes(100_000);
    const buffer = new ArrayBuffer(bytes.length + 10);
    new Uint8Array(buffer).set(bytes);
    const result = await pool.hash(buffer, bytes.length);
    expect(buffer.byteLength).toBe(0); // transferred, not copied
    expect(result.hash).toBe(sha256(bytes));
    expect(result.buffer.byteLength).toBe(bytes.length + 10);
    expect(Buffer.from(result.buffer, 0, bytes.length).equals(bytes)).toBe(true);
  });

  it('hashes many buffers at once, each to its own hash', async () => {
    const inputs = Array.from({ length: 40 }, (_, i) => randomBytes(1000 + i));
    const results = await Promise.all(
      inputs.map((b) => {
        const buffer = new ArrayBuffer(b.length);
        new Uint8Array(buffer).set(b);
        return pool.hash(buffer, b.length);
      }),
    );
    expect(results.map((r) => r.hash)).toEqual(inputs.map(sha256));
  });

  it('hashes an empty range', async () => {
    expect((await pool.hash(new ArrayBuffer(8), 0)).hash).toBe(sha256(Buffer.alloc(0)));
  });

  it('refuses a length beyond the buffer', async () => {
    await expect(pool.hash(new ArrayBuffer(8), 9)).rejects.toThrow('cannot hash 9 bytes of a 8-byte buffer');
  });

  it('starts new threads after close', async () => {
    await pool.hash(new ArrayBuffer(4), 4);
    await pool.close();
    expect((await pool.hash(new ArrayBuffer(4), 4)).hash).toBe(sha256(Buffer.alloc(4)));
  });

  it('rejects pending hashes when closed under them, and keeps working afterwards', async () => {
    const pending = pool.hash(new ArrayBuffer(64 << 20), 64 << 20);
    await pool.close();
    await expect(pending).rejects.toThrow(/exited|terminated/);
    expect((await pool.hash(new ArrayBuffer(1), 1)).hash).toBe(sha256(Buffer.alloc(1)));
  });

  it('the comparison hashers agree with it', async () => {
    const bytes = randomBytes(5000);
    for (const hasher of [subtleHasher, inlineHasher]) {
      const buffer = new ArrayBuffer(bytes.length);
      new Uint8Array(buffer).set(bytes);
      expect((await hasher.hash(buffer, 4000)).hash).toBe(sha256(bytes.subarray(0, 4000)));
    }
  });
});
