import { z } from 'zod';

/**
 * How a domain's points are judged (`<domain>/scan-settings.json` in the object store, written by
 * `jssctl replica scan-settings`; every field optional, absent = the default). A VM of a point is
 * suspicious when at least `minTurnedBlocks` of its changed blocks, and `minTurnedPercent` of them,
 * went from structured data (below `structuredBelow` bits per byte) to near-random data (at least
 * `randomAbove`), and either the VM changed `changeRateFactor` times more than the median of its last
 * `historyPoints` points, or the blocks that turned are `minDiskPercent` of the whole VM.
 */
export const scanSettingsSchema = z
  .strictObject({
    /** false: the domain's points are not scanned (they stay unscanned; last-clean is refused) */
    enabled: z.boolean().default(true),
    randomAbove: z.number().min(0).max(8).default(7.9),
    structuredBelow: z.number().min(0).max(8).default(7.0),
    minTurnedBlocks: z.number().int().min(1).max(1e9).default(8),
    minTurnedPercent: z.number().min(0).max(100).default(50),
    changeRateFactor: z.number().min(1).max(1e6).default(3),
    minDiskPercent: z.number().min(0).max(100).default(10),
    historyPoints: z.number().int().min(3).max(100).default(10),
  })
  .refine((s) => s.structuredBelow <= s.randomAbove, { message: 'structuredBelow must not be above randomAbove' });

export type ScanSettings = z.infer<typeof scanSettingsSchema>;

export const DEFAULT_SCAN_SETTINGS: ScanSettings = scanSettingsSchema.parse({});

/** The change rate needs this many earlier points of a VM before it says anything. */
export const MIN_HISTORY = 3;
