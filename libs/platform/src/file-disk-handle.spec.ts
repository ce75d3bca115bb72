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
});
