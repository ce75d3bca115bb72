import { z } from 'zod';
import { SCANNED_VERDICTS, ScannedVerdict, Verdict, VmScan, vmScanSchema } from '@jss/contract';
import { scanSettingsSchema } from './settings';

// Where a point's scan results live, beside its manifest `<domain>/points/<id>.json` (which is
// never rewritten): the verdict, the public record of the scan, and the per-block entropy summary.

export const verdictKey = (domain: string, pointId: string): string => `${domain}/verdicts/${pointId}.json`;
export const verdictsPrefix = (domain: string): string => `${domain}/verdicts/`;
export const summaryKey = (domain: string, pointId: string): string => `${domain}/entropy/${pointId}.json`;
export const settingsKey = (domain: string): string => `${domain}/scan-settings.json`;

/** `<domain>/verdicts/<pointId>.json`: written once (if absent), after the point's summary. */
export const verdictRecordSchema = z.object({
  version: z.literal(1),
  domain: z.string(),
  pointId: z.string(),
  /** the point's time */
  time: z.string(),
  parent: z.string().nullable(),
  /** suspicious when any VM is */
  verdict: z.enum(SCANNED_VERDICTS),
  scannedAt: z.string(),
  /** the settings the point was judged with */
  settings: scanSettingsSchema,
  vms: z.array(vmScanSchema),
});
export type VerdictRecord = z.infer<typeof verdictRecordSchema>;

export const pointVerdictOf = (vms: readonly VmScan[]): ScannedVerdict =>
  vms.some((v) => v.verdict === 'suspicious') ? 'suspicious' : 'clean';

/**
 * The verdict of a point for the VMs a task recovers (all of them when `vms` is undefined), with
 * a sentence naming the suspicious ones; `unscanned` without a record.
 */
export function verdictFor(record: VerdictRecord | null, vms?: readonly string[]): { verdict: Verdict; message?: string } {
  if (!record) return { verdict: 'unscanned' };
  const suspicious = record.vms.filter((v) => v.verdict === 'suspicious' && (!vms || vms.includes(v.name)));
  if (!suspicious.length) return { verdict: 'clean' };
  return { verdict: 'suspicious', message: suspicious.map((v) => `VM ${v.name}: ${v.message}`).join('; ') };
}
