import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createSparseFile, FileDiskHandle } from './file-disk-handle';

describe('FileDiskHandle', () => {
  let dir: string;
  beforeEach(async () => (dir = await fs.mkdtemp(path.join(os.tmpdir(), 'jss-disk-'))));
  afterEach(() => fs.rm(dir, { recursive: true, force: true }));

  it('writes at offsets inside a fixed-size sparse image', async () => {
    const file = path.join(dir, 'disk.img');
    await createSparseFile(file, 3 * 4096);
    await expect(createSparseFile(file, 4096)).rejects.toThrow('EEXIST');
    const disk = await FileDiskHandle.open(file);
    try {
      expect(disk.sizeBytes).toBe(3 * 4096);
      await disk.write(Buffer.alloc(4096, 0xab), 4096);
      await expect(disk.write(Buffer.alloc(2), 3 * 4096 - 1)).rejects.toThrow(RangeError);
      await expect(disk.write(Buffer.alloc(1), -1)).rejects.toThrow('outside the 12288-byte disk');
      await disk.sync();
    } finally {
      await disk.close();
    }
    const content = await fs.readFile(file);
    expect(content.length).toBe(3 * 4096);
    expect(content.subarray(4096, 8192).every((b) => b === 0xab)).toBe(true);
    expect(content.subarray(0, 4096).every((b) => b === 0) && content.subarray(8192).every((b) => b === 0)).toBe(true);
  });

  it('with direct I/O, still writes what O_DIRECT cannot take: heap memory, unaligned offsets, a short tail', async () => {
    const file = path.join(dir, 'disk.img');
    const size = 5 * 4096 + 100;
    await createSparseFile(file, size);
    const disk = await FileDiskHandle.open(file, { direct: true });
    const expected = Buffer.alloc(size);
    try {
      expect(disk.ioMode).toBe('direct'); // os.tmpdir() is on ext4 here
      const heap = Buffer.alloc(4096, 1); // a Buffer from the heap: not page-aligned
      await disk.write(heap, 4096);
      expected.fill(1, 4096, 8192);
      await disk.write(Buffer.alloc(10, 2), 8192 + 5); // unaligned offset and length
      expected.fill(2, 8197, 8207);
      await disk.writev([Buffer.alloc(4096, 3), Buffer.alloc(100, 4)], 4 * 4096); // aligned front, short tail
      expected.fill(3, 4 * 4096, 5 * 4096).fill(4, 5 * 4096);
      await disk.sync();
    } finally {
      await disk.close();
    }
    expect((await fs.readFile(file)).equals(expected)).toBe(true);
  });
});
