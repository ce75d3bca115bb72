import {
  Manifest,
  ManifestVm,
  ReplicaRepository,
  Slot,
  blockLengthOf,
  fetchBlockInto,
  forEachBounded,
  giveSlot,
  sharedHashPool,
  takeSlot,
} from '@jss/replica';
import { ObjectStore } from '@jss/store';
import { DiskInput, analyseVm } from './analysis';
import { entropyByte, shannonEntropy } from './entropy';
import { ScanStore } from './scan-store';
import { ScanSettings } from './settings';
import { PointSummary, VmSummary } from './summary';
import { VerdictRecord, pointVerdictOf } from './verdict';

export interface ScanOptions {
  /** blocks read and analysed at once */
  concurrency: number;
  /** tests only: called once a point's summary is stored, before its verdict (JSS_TEST_CRASH_AT=scan-before-verdict) */
  beforeVerdict?: () => void;
}

/** What scanning one point did: its stored verdict, whether this call wrote it, and the bytes read. */
export interface Scanned {
  record: VerdictRecord;
  written: boolean;
  bytesRead: number;
  blocksRead: number;
}

export type ScanResult = { scanned: Scanned[] } | { skipped: 'disabled' | 'no-such-point' };

export interface ScanCall {
  /** stops issuing reads; the scan rejects with an AbortError */
  signal?: AbortSignal;
  /** awaited before each block is read: lets other work go first (the scanner gives way to rehydration) */
  beforeBlock?: () => Promise<void>;
}

interface Parent {
  manifest: Manifest;
  summary: PointSummary;
}

/**
 * Scans recovery points: for each VM, the blocks that changed since the parent point are read
 * (verified against their hash) and their Shannon entropy taken; the parent's blocks are never read,
 * their entropy is in its summary. A point whose parent has no summary yet has its ancestors scanned
 * first, oldest first. The verdict is written once (if absent): a point scanned again, or by two
 * scanners at once, keeps the verdict first written.
 */
export class PointScanner {
  constructor(
    private readonly repo: ReplicaRepository,
    private readonly store: ObjectStore,
    private readonly scans: ScanStore,
    private readonly opts: ScanOptions,
  ) {}

  async scan(domain: string, pointId: string, call: ScanCall = {}): Promise<ScanResult> {
    const existing = await this.scans.verdict(domain, pointId);
    if (existing) return { scanned: [{ record: existing, written: false, bytesRead: 0, blocksRead: 0 }] };
    const settings = await this.scans.settings(domain);
    if (!settings.enabled) return { skipped: 'disabled' };
    const target = await this.repo.getPoint(domain, pointId);
    if (!target) return { skipped: 'no-such-point' };
    // back to the nearest ancestor with a summary (or the first point); then forward, oldest first
    const todo: Manifest[] = [target];
    let parent: Parent | null = null;
    for (let at = target; at.parent;) {
      const manifest = await this.repo.getPoint(domain, at.parent);
      if (!manifest) break;
      const summary = await this.scans.summary(domain, manifest.id);
      if (summary) {
        parent = { manifest, summary };
        break;
      }
      todo.push(manifest);
      at = manifest;
    }
    const scanned: Scanned[] = [];
    for (const point of todo.reverse()) {
      const done = await this.scanOne(point, parent, settings, call);
      scanned.push(done.scanned);
      parent = { manifest: point, summary: done.summary };
    }
    return { scanned };
  }

  private async scanOne(
    point: Manifest,
    parent: Parent | null,
    settings: ScanSettings,
    call: ScanCall,
  ): Promise<{ scanned: Scanned; summary: PointSummary }> {
    const inputs = point.vms.map((vm) => this.inputOf(vm, parent));
    const { bytesRead, blocksRead } = await this.measure(point, inputs, call);
    const analysed = inputs.map((input) => analyseVm(input, point.id, settings));
    const summary: PointSummary = {
      domain: point.domain,
      pointId: point.id,
      blockSize: point.blockSize,
      vms: analysed.map((a) => a.summary),
    };
    await this.scans.putSummary(summary);
    this.opts.beforeVerdict?.();
    const vms = analysed.map((a) => a.scan);
    const { record, written } = await this.scans.putVerdict({
      version: 1,
      domain: point.domain,
      pointId: point.id,
      time: point.time,
      parent: point.parent,
      verdict: pointVerdictOf(vms),
      scannedAt: new Date().toISOString(),
      settings,
      vms,
    });
    return { scanned: { record, written, bytesRead, blocksRead }, summary };
  }

  /** A VM of the point with the same VM of the parent point (when both the manifest and the summary have it). */
  private inputOf(vm: ManifestVm, parent: Parent | null): { name: string; disks: DiskInput[]; parent: VmSummary | null } {
    const beforeVm = parent?.manifest.vms.find((v) => v.name === vm.name);
    const beforeSummary = parent?.summary.vms.find((v) => v.name === vm.name);
    const known = beforeVm && beforeSummary ? { vm: beforeVm, summary: beforeSummary } : null;
    const disks = vm.disks.map((disk) => {
      const blocks = known?.vm.disks.find((d) => d.index === disk.index)?.blocks;
      const summed = known?.summary.disks.find((d) => d.index === disk.index);
      // a summary that does not fit its manifest is not trusted: the disk is taken as new
      const before = blocks && summed && summed.entropy.length === blocks.length ? { blocks, ...summed } : undefined;
      return { index: disk.index, blocks: disk.blocks, entropy: new Uint8Array(disk.blocks.length), ...(before && { before }) };
    });
    return { name: vm.name, disks, parent: known?.summary ?? null };
  }

  /**
   * Fills in every block's entropy byte: zero blocks 0, blocks unchanged since the parent from its
   * summary, the others read once per distinct hash, `concurrency` at a time.
   */
  private async measure(point: Manifest, inputs: Array<{ name: string; disks: DiskInput[] }>, { signal, beforeBlock }: ScanCall) {
    const toRead = new Map<string, { vm: string; disk: number; block: number; length: number; at: Array<[Uint8Array, number]> }>();
    for (const vm of inputs) {
      for (const d of vm.disks) {
        const size = point.vms.find((v) => v.name === vm.name)!.disks.find((x) => x.index === d.index)!.sizeBytes;
        d.blocks.forEach((hash, b) => {
          if (hash === null) return;
          if (d.before && d.before.blocks[b] === hash) return void (d.entropy[b] = d.before.entropy[b]);
          const read = toRead.get(hash);
          if (read) return void read.at.push([d.entropy, b]);
          toRead.set(hash, { vm: vm.name, disk: d.index, block: b, length: blockLengthOf(size, point.blockSize, b), at: [[d.entropy, b]] });
        });
      }
    }
    let bytesRead = 0;
    // each block read into a reused slot of shared memory and hashed in place on the hash threads (as rehydration does)
    const hasher = sharedHashPool();
    const free: Slot[] = [];
    try {
      await forEachBounded(
        toRead,
        this.opts.concurrency,
        async ([expected, r]) => {
          await beforeBlock?.();
          const slot = free.pop() ?? takeSlot(point.blockSize);
          try {
            const ref = { domain: point.domain, vm: r.vm, diskIndex: r.disk, block: r.block, expected };
            const size = await fetchBlockInto(this.store, ref, r.length, slot.view, hasher);
            bytesRead += size;
            const byte = entropyByte(shannonEntropy(slot.view.subarray(0, size)));
            for (const [entropy, b] of r.at) entropy[b] = byte;
          } finally {
            free.push(slot);
          }
        },
        signal,
      );
    } finally {
      free.forEach(giveSlot);
    }
    return { bytesRead, blocksRead: toRead.size };
  }
}
