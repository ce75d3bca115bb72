import { DEFAULT_BLOCK_SIZE } from './block-size';
import { Manifest } from './manifest';
import { splitRanges } from './split-ranges';

const MiB = 1 << 20;

function pointWithDisk(sizeBytes: number, blockSize = DEFAULT_BLOCK_SIZE): Manifest {
  return {
    version: 1,
    id: 'rp-20261128T182100123Z-abcd',
    domain: 'shop',
    time: '2026-11-28T18:21:00.123Z',
    blockSize,
    parent: null,
    site: 'primary',
    vms: [{ name: 'web', disks: [{ index: 0, sizeBytes, blocks: Array(Math.ceil(sizeBytes / blockSize)).fill(null) }] }],
  };
}

describe('splitRanges', () => {
  it('cuts a large disk into 256 MiB ranges, the last one short', () => {
    const ranges = splitRanges(pointWithDisk(600 * MiB + 10), 'web', 0);
    expect(ranges).toEqual([
      { firstBlock: 0, blockCount: 256, bytes: 256 * MiB },
      { firstBlock: 256, blockCount: 256, bytes: 256 * MiB },
      { firstBlock: 512, blockCount: 89, bytes: 88 * MiB + 10 },
    ]);
  });

  it('keeps a small disk in one range and plans nothing for an empty one', () => {
    expect(splitRanges(pointWithDisk(3 * MiB), 'web', 0)).toEqual([{ firstBlock: 0, blockCount: 3, bytes: 3 * MiB }]);
    expect(splitRanges(pointWithDisk(0), 'web', 0)).toEqual([]);
  });

  it('honours maxBlocksPerRange and the block size', () => {
    const ranges = splitRanges(pointWithDisk(10 * 65536, 65536), 'web', 0, { maxBlocksPerRange: 4 });
    expect(ranges.map((r) => [r.firstBlock, r.blockCount, r.bytes])).toEqual([
      [0, 4, 4 * 65536],
      [4, 4, 4 * 65536],
      [8, 2, 2 * 65536],
    ]);
    expect(() => splitRanges(pointWithDisk(MiB), 'web', 0, { maxBlocksPerRange: 0 })).toThrow('maxBlocksPerRange');
    expect(() => splitRanges(pointWithDisk(MiB), 'web', 1)).toThrow('has no disk 1');
  });
});
