import { DiskInput, analyseVm, median } from './analysis';
import { entropyByte } from './entropy';
import { DEFAULT_SCAN_SETTINGS as S } from './settings';
import { bitmap } from './summary';

// 100 blocks: 90 of structured data (4.5 bits per byte), 10 zero blocks.
const N = 100;
const hash = (b: number, v = 0) => `${v}-${b}`;
const TEXT = entropyByte(4.5);
const RANDOM = entropyByte(7.99);
const base = () => ({
  blocks: Array.from({ length: N }, (_, b) => (b < 90 ? hash(b) : null)),
  entropy: Uint8Array.from({ length: N }, (_, b) => (b < 90 ? TEXT : 0)),
});

/** The disk after rewriting `blocks` with data of entropy byte `byte`. */
type Disk = { blocks: ReadonlyArray<string | null>; entropy: Uint8Array };

function changed(blocks: number[], byte: number, before: Disk = base(), suspect: Uint8Array | null = null): DiskInput {
  const now = { blocks: [...before.blocks], entropy: Uint8Array.from(before.entropy) };
  for (const b of blocks) {
    now.blocks[b] = hash(b, 1);
    now.entropy[b] = byte;
  }
  return { index: 0, ...now, before: { ...before, suspect } };
}
const range = (from: number, n: number) => Array.from({ length: n }, (_, i) => from + i);
const parent = (history: number[] = [], suspectSince: string | null = null) => ({ history, suspectSince });

describe('the verdict on a VM of a point', () => {
  it('takes a VM that has no parent as the baseline, clean', () => {
    const { scan, summary } = analyseVm({ name: 'web', disks: [{ index: 0, ...base() }], parent: null }, 'rp-1', S);
    expect(scan).toMatchObject({ verdict: 'clean', reason: 'baseline', suspectSince: null, figures: { blocks: N, changedBlocks: N } });
    expect(summary.history).toEqual([]);
  });

  it('finds small structured changes normal and remembers their rate', () => {
    const { scan, summary } = analyseVm({ name: 'web', disks: [changed(range(0, 3), TEXT)], parent: parent([2, 3, 1]) }, 'rp-2', S);
    expect(scan).toMatchObject({ verdict: 'clean', reason: 'normal' });
    expect(scan.figures).toMatchObject({ changedBlocks: 3, changedPercent: 3, turnedRandom: 0, medianChangedPercent: 2, changeRate: 1.5 });
    expect(summary.history).toEqual([2, 3, 1, 3]);
  });

  it('flags blocks turned from structured to near-random at an unusual rate: encryption-like', () => {
    const { scan, summary } = analyseVm(
      { name: 'web', disks: [changed(range(0, 30), RANDOM)], parent: parent([2, 3, 1, 4, 5]) },
      'rp-9',
      S,
    );
    expect(scan).toMatchObject({ verdict: 'suspicious', reason: 'encryption-like', suspectSince: 'rp-9' });
    expect(scan.figures).toMatchObject({ changedBlocks: 30, turnedRandom: 30, turnedPercent: 100, changeRate: 10, suspectBlocks: 30 });
    expect(scan.figures.entropyBefore).toBeCloseTo(4.5, 1);
    expect(scan.figures.entropyAfter).toBeCloseTo(7.99, 1);
    expect(scan.message).toMatch(/30 of them \(100%\) turned from structured/);
    expect(bitmap.count(summary.disks[0].suspect)).toBe(30);
  });

  it('does not flag a large rewrite with structured data, only says it was large', () => {
    const { scan } = analyseVm({ name: 'web', disks: [changed(range(0, 30), TEXT)], parent: parent([2, 3, 1]) }, 'rp-3', S);
    expect(scan).toMatchObject({ verdict: 'clean', reason: 'large-change', figures: { turnedRandom: 0, changeRate: 15 } });
  });

  it('without history, flags only what turned a large share of the VM', () => {
    const small = analyseVm({ name: 'web', disks: [changed(range(0, 9), RANDOM)], parent: parent() }, 'rp-2', S);
    expect(small.scan).toMatchObject({ verdict: 'clean', figures: { turnedRandom: 9, changeRate: null } });
    const large = analyseVm({ name: 'web', disks: [changed(range(0, 10), RANDOM)], parent: parent() }, 'rp-2', S);
    expect(large.scan).toMatchObject({ verdict: 'suspicious', reason: 'encryption-like' });
  });

  it('does not count zero blocks filled with random data as turned, nor a change mostly of already random data', () => {
    const zeros = analyseVm({ name: 'web', disks: [changed(range(90, 10), RANDOM)], parent: parent([1, 1, 1]) }, 'rp-2', S);
    expect(zeros.scan).toMatchObject({ verdict: 'clean', figures: { changedBlocks: 10, turnedRandom: 0 } });
    const random = { blocks: base().blocks, entropy: Uint8Array.from(base().entropy).fill(RANDOM, 0, 80) };
    const mostlyRandom = analyseVm({ name: 'web', disks: [changed(range(65, 25), RANDOM, random)], parent: parent([1, 1, 1]) }, 'rp-2', S);
    expect(mostlyRandom.scan).toMatchObject({ verdict: 'clean', figures: { changedBlocks: 25, turnedRandom: 10, turnedPercent: 40 } });
  });

  it('keeps a VM suspicious while the turned blocks are still there, and clears it once they are rewritten', () => {
    const attack = analyseVm({ name: 'web', disks: [changed(range(0, 30), RANDOM)], parent: parent([2, 2, 2]) }, 'rp-9', S);
    const attacked = attack.summary.disks[0];
    const after = { blocks: changed(range(0, 30), RANDOM).blocks, entropy: attacked.entropy };
    const next = analyseVm(
      { name: 'web', disks: [changed(range(40, 2), TEXT, after, attacked.suspect)], parent: attack.summary },
      'rp-10',
      S,
    );
    expect(next.scan).toMatchObject({ verdict: 'suspicious', reason: 'inherited', suspectSince: 'rp-9', figures: { suspectBlocks: 30 } });
    const restored = analyseVm(
      { name: 'web', disks: [changed(range(0, 30), TEXT, after, next.summary.disks[0].suspect)], parent: next.summary },
      'rp-11',
      S,
    );
    expect(restored.scan).toMatchObject({ verdict: 'clean', suspectSince: null, figures: { suspectBlocks: 0 } });
    expect(restored.summary.disks[0].suspect).toBeNull();
  });

  it('follows the settings', () => {
    const strict = { ...S, minTurnedBlocks: 31 };
    const { scan } = analyseVm({ name: 'web', disks: [changed(range(0, 30), RANDOM)], parent: parent([2, 2, 2]) }, 'rp-9', strict);
    expect(scan.verdict).toBe('clean');
  });

  it('takes the median of the history', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 2, 3])).toBe(2.5);
  });
});
