import { z } from 'zod';

// Recovery points scanned for signs of ransomware (libs/scan, apps/scanner): what the events and
// the stored verdicts say about a point and each of its VMs. A point without a verdict is unscanned.

/** `recoveryPoint: "last-clean"`: the newest point whose recovered VMs are all clean. */
export const LAST_CLEAN = 'last-clean';

export const VERDICTS = ['clean', 'suspicious', 'unscanned'] as const;
export type Verdict = (typeof VERDICTS)[number];
/** What a scan decides; `unscanned` is the absence of a scan. */
export const SCANNED_VERDICTS = ['clean', 'suspicious'] as const;
export type ScannedVerdict = (typeof SCANNED_VERDICTS)[number];

/**
 * Why a VM got its verdict: `baseline` (its first point: nothing to compare with), `normal`,
 * `large-change` (clean: many blocks changed, but not into near-random data), `encryption-like`
 * (suspicious: blocks turned from structured to near-random, unusually many), `inherited`
 * (suspicious: still holds the blocks a suspicious point turned near-random).
 */
export const SCAN_REASONS = ['baseline', 'normal', 'large-change', 'encryption-like', 'inherited'] as const;
export type ScanReason = (typeof SCAN_REASONS)[number];

const ratio = z.number().nullable();

/** The figures of one VM of a point, against the same VM in the point's parent. */
export const scanFiguresSchema = z.object({
  /** blocks of the VM's disks */
  blocks: z.number().int().min(0),
  /** blocks whose content differs from the parent point (all of them for a baseline) */
  changedBlocks: z.number().int().min(0),
  changedPercent: z.number(),
  /** changed blocks that went from structured data (below structuredBelow) to near-random (at least randomAbove) */
  turnedRandom: z.number().int().min(0),
  /** turnedRandom as a share of the changed blocks */
  turnedPercent: z.number(),
  /** mean Shannon entropy (bits per byte, 0-8) of the changed blocks before and after; null when none changed */
  entropyBefore: ratio,
  entropyAfter: ratio,
  /** the median changedPercent of the VM's last points; null while it has too few */
  medianChangedPercent: ratio,
  /** changedPercent over that median; null without it */
  changeRate: ratio,
  /** blocks that turned near-random in a suspicious point and still are */
  suspectBlocks: z.number().int().min(0),
});
export type ScanFigures = z.infer<typeof scanFiguresSchema>;

export const vmScanSchema = z.object({
  name: z.string(),
  verdict: z.enum(SCANNED_VERDICTS),
  reason: z.enum(SCAN_REASONS),
  /** the verdict as a sentence, with the figures that decided it */
  message: z.string(),
  /** the point whose change made the VM suspicious (encryption-like: this one; inherited: an older one) */
  suspectSince: z.string().nullable(),
  figures: scanFiguresSchema,
});
export type VmScan = z.infer<typeof vmScanSchema>;

/** The verdict of a recovery point as task events, reports and drill evidence carry it. */
export const pointVerdictSchema = z.object({
  verdict: z.enum(VERDICTS).optional(),
  /** suspicious: which VMs, and why (a task recovering a suspicious point named on purpose says so) */
  message: z.string().optional(),
});
