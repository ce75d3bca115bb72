import { createHash, randomBytes } from 'node:crypto';
import { HashPool } from './hash-pool';

const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');
const shared = (bytes: Uint8Array, offset = 0) => {
  const view = new Uint8Array(new SharedArrayBuffer(offset + bytes.length), offset, bytes.length);
  view.set(bytes);
  return view;
};

describe('HashPool', () => {
  let pool: HashPool;
  beforeEach(() => (pool = new HashPool(2)));
  afterEach(() => pool.close());

  it('hashes a view of shared memory in place on a worker thread', async () => {
    const bytes = randomBytes(100_000);
    const view = shared(bytes, 4096);
    expect(await pool.hash(view)).toBe(sha256(bytes));
    expect(Buffer.from(view).equals(bytes)).toBe(true);
  });

  it('hashes many views at once, each to its own hash', async () => {
    const inputs = Array.from({ length: 40 }, (_, i) => randomBytes(1000 + i));
    expect(await Promise.all(inputs.map((b) => pool.hash(shared(b))))).toEqual(inputs.map(sha256));
  });

  it('hashes an empty view', async () => {
    expect(await pool.hash(shared(Buffer.alloc(0)))).toBe(sha256(Buffer.alloc(0)));
  });

  it('refuses memory that is not shared', async () => {
    await expect(pool.hash(new Uint8Array(8))).rejects.toThrow('views of a SharedArrayBuffer only');
  });

  it('starts new threads after close', async () => {
    await pool.hash(shared(Buffer.alloc(4)));
    await pool.close();
    expect(await pool.hash(shared(Buffer.alloc(4)))).toBe(sha256(Buffer.alloc(4)));
  });

  it('rejects pending hashes when closed under them, and keeps working afterwards', async () => {
    const pending = pool.hash(new Uint8Array(new SharedArrayBuffer(64 << 20)));
    await pool.close();
    await expect(pending).rejects.toThrow(/exited|terminated/);
    expect(await pool.hash(shared(Buffer.alloc(1)))).toBe(sha256(Buffer.alloc(1)));
  });
});
