import type { ScanFigures, ScanReason, VmScan } from '@jss/contract';
import { bitsOf } from './entropy';
import { MIN_HISTORY, ScanSettings } from './settings';
import { VmSummary, bitmap } from './summary';

// The verdict on one VM of a point, from the entropy bytes of its blocks and of the same blocks in
// the parent point: pure, so that scanning a point twice decides the same.

export interface DiskInput {
  index: number;
  blocks: ReadonlyArray<string | null>;
  /** this point's entropy bytes, one per block */
  entropy: Uint8Array;
  /** the same disk in the parent point; absent: the disk is new */
  before?: { blocks: ReadonlyArray<string | null>; entropy: Uint8Array; suspect: Uint8Array | null };
}

export interface VmInput {
  name: string;
  disks: DiskInput[];
  /** the VM in the parent point's summary; null: its first point (the baseline) */
  parent: Pick<VmSummary, 'history' | 'suspectSince'> | null;
}

interface Tally {
  blocks: number;
  changed: number;
  turned: number;
  bitsBefore: number;
  bitsAfter: number;
  suspect: number;
}

const round = (x: number, digits = 2) => Math.round(x * 10 ** digits) / 10 ** digits;

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/** The VM's verdict with its figures, and what its summary carries to the next point. */
export function analyseVm(vm: VmInput, pointId: string, s: ScanSettings): { scan: VmScan; summary: VmSummary } {
  const t: Tally = { blocks: 0, changed: 0, turned: 0, bitsBefore: 0, bitsAfter: 0, suspect: 0 };
  const turnedMaps = vm.disks.map((d) => tally(d, s, t));
  const changedPercent = t.blocks ? (100 * t.changed) / t.blocks : 0;
  const history = vm.parent?.history ?? [];
  const med = history.length >= MIN_HISTORY ? median(history) : null;
  // a VM that never changes has a median of 0: one block's share stands in for it
  const changeRate = med === null || t.blocks === 0 ? null : changedPercent / Math.max(med, 100 / t.blocks);
  const turnedPercent = t.changed ? (100 * t.turned) / t.changed : 0;
  const encryptionLike =
    vm.parent !== null &&
    t.turned >= s.minTurnedBlocks &&
    turnedPercent >= s.minTurnedPercent &&
    ((changeRate !== null && changeRate >= s.changeRateFactor) || (100 * t.turned) / t.blocks >= s.minDiskPercent);

  // blocks still suspect: those of earlier suspicious points that are still near-random, and this point's turned ones
  const suspects = vm.disks.map((d, i) => {
    const map = bitmap.of(d.blocks.length);
    for (let b = 0; b < d.blocks.length; b++) {
      const stillRandom = bitsOf(d.entropy[b]) >= s.randomAbove;
      if ((stillRandom && bitmap.has(d.before?.suspect ?? null, b)) || (encryptionLike && bitmap.has(turnedMaps[i], b))) bitmap.set(map, b);
    }
    return map;
  });
  t.suspect = suspects.reduce((n, m) => n + bitmap.count(m), 0);
  const inherited = !encryptionLike && t.suspect >= s.minTurnedBlocks;
  const keepSuspects = encryptionLike || inherited;
  const suspectSince = encryptionLike ? (vm.parent?.suspectSince ?? pointId) : inherited ? (vm.parent?.suspectSince ?? null) : null;

  const figures: ScanFigures = {
    blocks: t.blocks,
    changedBlocks: t.changed,
    changedPercent: round(changedPercent),
    turnedRandom: t.turned,
    turnedPercent: round(turnedPercent),
    entropyBefore: vm.parent && t.changed ? round(t.bitsBefore / t.changed, 3) : null,
    entropyAfter: t.changed ? round(t.bitsAfter / t.changed, 3) : null,
    medianChangedPercent: med === null ? null : round(med),
    changeRate: changeRate === null ? null : round(changeRate),
    suspectBlocks: keepSuspects ? t.suspect : 0,
  };
  const reason: ScanReason =
    vm.parent === null
      ? 'baseline'
      : encryptionLike
        ? 'encryption-like'
        : inherited
          ? 'inherited'
          : changeRate !== null && changeRate >= s.changeRateFactor
            ? 'large-change'
            : 'normal';
  const verdict = encryptionLike || inherited ? 'suspicious' : 'clean';
  return {
    scan: { name: vm.name, verdict, reason, message: messageOf(reason, figures, s, suspectSince), suspectSince, figures },
    summary: {
      name: vm.name,
      history: vm.parent === null ? [] : [...history, round(changedPercent)].slice(-s.historyPoints),
      suspectSince,
      disks: vm.disks.map((d, i) => ({ index: d.index, entropy: d.entropy, suspect: keepSuspects ? suspects[i] : null })),
    },
  };
}

/** Adds a disk's blocks to the tally; returns the bitmap of its blocks that turned near-random. */
function tally(d: DiskInput, s: ScanSettings, t: Tally): Uint8Array {
  const turned = bitmap.of(d.blocks.length);
  t.blocks += d.blocks.length;
  for (let b = 0; b < d.blocks.length; b++) {
    const before = d.before && b < d.before.blocks.length ? { hash: d.before.blocks[b], bits: bitsOf(d.before.entropy[b]) } : null;
    if (before && before.hash === d.blocks[b]) continue;
    const after = bitsOf(d.entropy[b]);
    t.changed++;
    t.bitsAfter += after;
    t.bitsBefore += before?.bits ?? 0;
    // a zero block written with random data is new data, not data encrypted in place
    if (before && before.hash !== null && before.bits < s.structuredBelow && after >= s.randomAbove) {
      t.turned++;
      bitmap.set(turned, b);
    }
  }
  return turned;
}

function messageOf(reason: ScanReason, f: ScanFigures, s: ScanSettings, since: string | null): string {
  const changed = `${f.changedBlocks} of ${f.blocks} blocks changed (${f.changedPercent}%)`;
  const rate = f.changeRate === null ? 'no change history yet' : `${f.changeRate}x its median of ${f.medianChangedPercent}%`;
  const turned = `${f.turnedRandom} of them (${f.turnedPercent}%) turned from structured (below ${s.structuredBelow} bits per byte) to near-random (${s.randomAbove} or more)`;
  switch (reason) {
    case 'baseline':
      return `the first scanned point of this VM: the baseline later points are compared with`;
    case 'normal':
      return `${changed}, ${rate}; ${f.turnedRandom} turned near-random`;
    case 'large-change':
      return `${changed}, ${rate}, but only ${turned}`;
    case 'encryption-like':
      return `${changed}, ${rate}; ${turned}: what encryption in place looks like`;
    case 'inherited':
      return `still holds ${f.suspectBlocks} blocks that turned near-random in suspicious point ${since} (${changed} since the point before)`;
  }
}
