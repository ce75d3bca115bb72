import { z } from 'zod';
import { ManifestError, parseStored } from '@jss/replica';
import { ObjectExistsError, ObjectNotFoundError, ObjectStore } from '@jss/store';
import { DEFAULT_SCAN_SETTINGS, ScanSettings, scanSettingsSchema } from './settings';
import { PointSummary, decodeSummary, encodeSummary, summarySchema } from './summary';
import { VerdictRecord, settingsKey, summaryKey, verdictKey, verdictRecordSchema, verdictsPrefix } from './verdict';

/** Verdicts never change once written: this many are kept in memory. */
const VERDICT_CACHE = 2000;

/**
 * The scan results of recovery points in the object store (any back end: the ObjectStore
 * interface), each validated when read; and the domains' scan settings.
 */
export class ScanStore {
  private readonly verdicts = new Map<string, VerdictRecord>();

  constructor(private readonly store: ObjectStore) {}

  async verdict(domain: string, pointId: string): Promise<VerdictRecord | null> {
    const key = verdictKey(domain, pointId);
    const cached = this.verdicts.get(key);
    if (cached) return cached;
    const record = await this.read(key, verdictRecordSchema);
    if (record && (record.domain !== domain || record.pointId !== pointId)) {
      throw new ManifestError(key, `holds the verdict of point ${record.pointId} of domain "${record.domain}"`);
    }
    if (record) this.remember(key, record);
    return record;
  }

  /** Ids of the domain's points that have a verdict. */
  async scannedIds(domain: string): Promise<Set<string>> {
    const prefix = verdictsPrefix(domain);
    return new Set((await this.store.list(prefix)).map((k) => k.slice(prefix.length).replace(/\.json$/, '')));
  }

  /** Writes the verdict unless the point has one; either way resolves with the stored one and whether this call wrote it. */
  async putVerdict(record: VerdictRecord): Promise<{ record: VerdictRecord; written: boolean }> {
    const key = verdictKey(record.domain, record.pointId);
    try {
      await this.store.put(key, Buffer.from(JSON.stringify(record, null, 2)), { ifAbsent: true });
      this.remember(key, record);
      return { record, written: true };
    } catch (err) {
      if (!(err instanceof ObjectExistsError)) throw err;
      const stored = await this.verdict(record.domain, record.pointId);
      if (!stored) throw err;
      return { record: stored, written: false };
    }
  }

  async summary(domain: string, pointId: string): Promise<PointSummary | null> {
    const stored = await this.read(summaryKey(domain, pointId), summarySchema);
    return stored && decodeSummary(stored);
  }

  /** The same content for the same point every time: written over (never a manifest). */
  async putSummary(summary: PointSummary): Promise<void> {
    await this.store.put(summaryKey(summary.domain, summary.pointId), Buffer.from(JSON.stringify(encodeSummary(summary))));
  }

  async settings(domain: string): Promise<ScanSettings> {
    return (await this.read(settingsKey(domain), scanSettingsSchema)) ?? DEFAULT_SCAN_SETTINGS;
  }

  /** Stores a domain's settings (checked: a ZodError names what is wrong). */
  async putSettings(domain: string, settings: z.input<typeof scanSettingsSchema>): Promise<ScanSettings> {
    const checked = scanSettingsSchema.parse(settings);
    await this.store.put(settingsKey(domain), Buffer.from(JSON.stringify(checked, null, 2)));
    return checked;
  }

  private async read<T>(key: string, schema: z.ZodType<T>): Promise<T | null> {
    try {
      return parseStored(schema, key, await this.store.get(key));
    } catch (err) {
      if (err instanceof ObjectNotFoundError) return null;
      throw err;
    }
  }

  private remember(key: string, record: VerdictRecord): void {
    this.verdicts.set(key, record);
    if (this.verdicts.size > VERDICT_CACHE) this.verdicts.delete(this.verdicts.keys().next().value!);
  }
}
