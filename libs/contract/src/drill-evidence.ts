import { createHash } from 'node:crypto';
import { z } from 'zod';
import { planStepReport } from './event-schemas';
import { pointVerdictSchema } from './scan';

// The evidence report a scheduled drill leaves in the object store, `<domain>/drills/<id>.json`
// (and a page for people, `<id>.html`). Its `sha256` is the SHA-256 (hex) of the canonical JSON of
// the report without the `sha256` field: keys sorted at every level (by UTF-16 code units, as
// Array.prototype.sort does), arrays in order, no whitespace, strings and numbers as JSON.stringify
// writes them, encoded as UTF-8. The stored file is indented; the hash does not depend on that.

export const EVIDENCE_VERSION = 1;

const time = z.string();
const checkedVm = z.object({
  /** the protected VM */
  vm: z.string(),
  /** its Test VM */
  name: z.string(),
  site: z.string(),
  ip: z.string().nullable(),
  /** the Test VM created on the platform */
  createdAt: time.nullable(),
  /** its last disk range written */
  rehydratedAt: time.nullable(),
  poweredOnAt: time.nullable(),
  /** powered on with an address: when the drill saw it so; null if never */
  checkPassedAt: time.nullable(),
  /** what the check saw, as a sentence */
  check: z.string(),
  bytes: z.number(),
  bytesRead: z.number(),
});

export const evidenceSchema = z.object({
  version: z.literal(EVIDENCE_VERSION),
  id: z.string(),
  domain: z.string(),
  outcome: z.enum(['passed', 'failed']),
  /** a reason code (task.failed's, or check-failed, cleanup-incomplete, a command.rejected one); null when passed */
  reason: z.string().nullable(),
  message: z.string().nullable(),
  schedule: z.object({ every: z.string(), scheduledBy: z.string(), scheduledAt: time, dueAt: time }),
  /** the drill's test failover; null when it was refused before a task existed */
  taskId: z.string().nullable(),
  /** with the point's scan verdict when the test failover looked it up (reports before scanning have none) */
  recoveryPoint: z.object({ id: z.string(), time, ...pointVerdictSchema.shape }).nullable(),
  target: z.object({ site: z.string(), cluster: z.string(), datastore: z.string(), network: z.string() }).nullable(),
  startedAt: time,
  endedAt: time,
  rto: z.object({
    /** from the drill's start to its last Test VM powered on */
    seconds: z.number().nullable(),
    objectiveSeconds: z.number().nullable(),
    /** where the objective comes from: the domain's recovery plan, else the schedule (rtoObjectiveSeconds); null: none was set */
    objectiveFrom: z.enum(['plan', 'schedule']).nullable(),
    met: z.boolean().nullable(),
  }),
  bytes: z.object({ total: z.number(), read: z.number() }),
  vms: z.array(checkedVm),
  /** the steps of the recovery plan the test failover ran, as its task report lists them */
  steps: z.array(planStepReport),
  /**
   * what the drill's task created and removed at its end, its Test VMs and the domain's RocVA; goneAt
   * null: still on the platform when the report was written; sharedWith: the RocVA was left to these
   * tasks of the domain, which still held it (not a leak)
   */
  removed: z.array(
    z.object({ name: z.string(), kind: z.string(), site: z.string(), goneAt: time.nullable(), sharedWith: z.array(z.string()).optional() }),
  ),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
});
export type Evidence = z.infer<typeof evidenceSchema>;
export type EvidenceVm = Evidence['vms'][number];

/** JSON with keys sorted at every level and no whitespace: the same bytes for the same content. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    return `{${entries
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

/** The report's hash: sha256 of the canonical JSON of everything but `sha256`. */
export function evidenceHash(report: Omit<Evidence, 'sha256'> & { sha256?: string }): string {
  const { sha256: _s, ...rest } = report;
  return createHash('sha256').update(canonicalJson(rest), 'utf8').digest('hex');
}

/** Whether a stored report still has the content its hash was taken of. */
export function verifyEvidence(report: Evidence): { ok: boolean; stored: string; computed: string } {
  const computed = evidenceHash(report);
  return { ok: computed === report.sha256, stored: report.sha256, computed };
}

/**
 * Command ids starting with this are the drills' alone: the planner refuses them from publishers, so
 * that no one can take a drill's id (and the drill adopt their task, or be blocked by it).
 */
export const DRILL_ID_PREFIX = 'drill-';

/** Drill ids: `drill-<domain>-<due time, UTC, to the second>`; one per domain and due time. */
const DRILL_ID = /^drill-([a-z0-9][a-z0-9-]{0,62})-(\d{8}T\d{6}Z)$/;

export function drillId(domain: string, dueMs: number): string {
  return `drill-${domain}-${new Date(dueMs)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '')}`;
}

/** The domain a drill id names, or null for what is no drill id. */
export function domainOfDrill(id: string): string | null {
  return DRILL_ID.exec(id)?.[1] ?? null;
}

/** Where a drill's evidence is in the object store. */
export const evidenceKeys = (domain: string, id: string) => ({
  json: `${domain}/drills/${id}.json`,
  html: `${domain}/drills/${id}.html`,
});
