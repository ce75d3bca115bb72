import { z } from 'zod';
import { parseEvery } from './drill-schedule';
import { Operation } from './operations';
import { LIMITS } from './limits';
import { LAST_CLEAN } from './scan';

// The data of each command (contract: design.md, "Command data per operation").
// Unknown fields are refused so that a typo is reported instead of silently ignored. Every string,
// list and map is bounded, so that no command can make the planner hold or echo much.

/** The longest delay a boot-order group may ask for. */
export const BOOT_DELAY_MAX_SECONDS = 600;

/** The longest a failover may wait for its commit or rollback (30 days). */
export const COMMIT_WAIT_MAX_SECONDS = 30 * 24 * 3600;

export const NAME_PATTERN = new RegExp(`^[a-z0-9][a-z0-9-]{0,${LIMITS.userNameLength - 1}}$`);
/** VMs one command may name (in `vms`, `bootOrder`, `networkMap`, `rename`) */
export const MAX_VMS_PER_COMMAND = LIMITS.vmsPerTask;
/** test-failover `ttl`: at most 30 days */
export const MAX_TTL_SECONDS = 30 * 24 * 3600;
/** names of temporaries and appliances; a VM the system leaves behind may not look like one */
export const RESERVED_PREFIX = 'jss-';

/** a name the user gives: a domain, a VM, a recovered VM's new name, a plan group */
export const userName = z
  .string()
  .max(LIMITS.userNameLength)
  .regex(NAME_PATTERN, `lower-case letters, digits and "-", at most ${LIMITS.userNameLength} characters`);
const name = userName;
const finalName = name.refine((n) => !n.startsWith(RESERVED_PREFIX), `names starting with "${RESERVED_PREFIX}" are the system's own`);
const placeName = z.string().min(1).max(LIMITS.placeNameLength);

const target = z.strictObject({
  cluster: placeName.optional(),
  datastore: placeName.optional(),
  network: placeName.optional(),
});
export type Target = z.infer<typeof target>;

const vms = z
  .array(name)
  .min(1)
  .max(MAX_VMS_PER_COMMAND, `at most ${MAX_VMS_PER_COMMAND} VMs (limit vmsPerTask)`)
  .refine((list) => new Set(list).size === list.length, 'a VM is named more than once');
/** A map keyed by VM name, of at most MAX_VMS_PER_COMMAND entries. */
const vmMap = <T extends z.ZodType>(value: T) =>
  z.record(name, value).refine((m) => Object.keys(m).length <= MAX_VMS_PER_COMMAND, `at most ${MAX_VMS_PER_COMMAND} entries`);

const POINT_ID = /^rp-\d{8}T\d{9}Z-[0-9a-f]{4}$/;
const isoTime = z.iso.datetime({ offset: true });
const recoveryPoint = z
  .string()
  .min(1)
  .max(100)
  .refine(
    (p) => p === LAST_CLEAN || POINT_ID.test(p) || isoTime.safeParse(p).success,
    `a recovery point id (rp-...), an ISO 8601 time or "${LAST_CLEAN}"`,
  );
const taskId = z
  .string()
  .max(100)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]*$/, 'a task id (task-...)');
/** A group of VMs powered on together once the group before is up; `delaySeconds` more after it. */
const bootGroup = z.union([
  z.array(name).min(1).max(MAX_VMS_PER_COMMAND),
  z.strictObject({ vms: z.array(name).min(1).max(MAX_VMS_PER_COMMAND), delaySeconds: z.number().int().min(0).max(BOOT_DELAY_MAX_SECONDS) }),
]);
const dryRun = z.boolean().optional();
/** false: ignore the domain's recovery plan (default: use it when there is one) */
const usePlan = z.boolean().optional();
/** The largest recovery plan document plan-apply takes. */
export const MAX_PLAN_BYTES = LIMITS.planBytes;

/** After the VMs are up, wait for recovery.commit / recovery.rollback, or do what the policy says after afterSeconds. */
const commitPolicy = z
  .strictObject({
    policy: z.enum(['manual', 'commit', 'rollback']),
    afterSeconds: z.number().int().min(1).max(COMMIT_WAIT_MAX_SECONDS).optional(),
  })
  .refine((c) => c.policy === 'manual' || c.afterSeconds !== undefined, {
    message: 'afterSeconds is required with policy commit or rollback',
  });

/** A drill's `every`: an interval or a cron expression (drill-schedule.ts); the message says which forms. */
const every = z
  .string()
  .min(1)
  .max(100)
  .superRefine((text, ctx) => {
    const parsed = parseEvery(text);
    if (typeof parsed === 'string') ctx.addIssue({ code: 'custom', message: parsed });
  });
const seconds = z.number().int().positive().max(MAX_TTL_SECONDS);

const failover = z.strictObject({
  domain: name,
  vms: vms.optional(),
  recoveryPoint: recoveryPoint.optional(),
  target: target.optional(),
  bootOrder: z.array(bootGroup).max(MAX_VMS_PER_COMMAND).optional(),
  networkMap: vmMap(z.strictObject({ network: placeName, ip: z.ipv4().optional() })).optional(),
  taskId: taskId.optional(),
  commit: commitPolicy.optional(),
  plan: usePlan,
  /** once the VMs are up, protect them back into the object store from where they now run (as recovery.reprotect) */
  reprotect: z.boolean().optional(),
  dryRun,
});

/** How often re-protection takes a point: 5 s to a day. */
export const REPROTECT_EVERY_MIN_SECONDS = 5;
export const REPROTECT_EVERY_MAX_SECONDS = 86_400;
/** An objective (RPO, RTO): a second to 30 days; null removes it. */
const objective = z.number().int().positive().max(MAX_TTL_SECONDS).nullable().optional();

export const commandDataSchemas = {
  failover,
  'planned-failover': failover,
  'continuous-failover': z.strictObject({ domain: name, vms: vms.optional(), target: target.optional(), dryRun }),
  failback: z.strictObject({ domain: name, vms: vms.optional(), plan: usePlan, dryRun }),
  restore: z.strictObject({
    domain: name,
    vms,
    recoveryPoint: recoveryPoint.optional(),
    target: target.optional(),
    rename: vmMap(finalName).optional(),
    replace: z.boolean().optional(),
    dryRun,
  }),
  'test-failover': z.strictObject({
    domain: name,
    vms: vms.optional(),
    recoveryPoint: recoveryPoint.optional(),
    target: target.optional(),
    ttl: z.number().int().positive().max(MAX_TTL_SECONDS).optional(),
    plan: usePlan,
    dryRun,
  }),
  'test-cleanup': z.strictObject({ taskId, dryRun }),
  cancel: z.strictObject({ taskId, dryRun }),
  commit: z.strictObject({ taskId, dryRun }),
  rollback: z.strictObject({ taskId, dryRun }),
  /** a recurring test failover of the domain, with checks and an evidence report; replaces the domain's schedule */
  'drill-schedule': z.strictObject({
    domain: name,
    every,
    vms: vms.optional(),
    target: target.optional(),
    /** the drill's time limit: checks retried until then, the Test VMs removed at the latest then (default 3600) */
    ttl: seconds.optional(),
    /** the RTO the report measures the drill against */
    rtoObjectiveSeconds: seconds.optional(),
    /** no passed drill for this long: the domain counts as overdue (metric and alert); default twice the period plus an hour */
    alertAfterSeconds: seconds.optional(),
    /** "last-clean": each drill tests the newest point whose VMs are all clean (default: the newest point) */
    recoveryPoint: z.literal(LAST_CLEAN).optional(),
    dryRun,
  }),
  'drill-unschedule': z.strictObject({ domain: name, dryRun }),
  /** `document`: the plan's YAML text (its `domain` must be this one); dryRun: validate only */
  'plan-apply': z.strictObject({ domain: name, document: z.string().min(1).max(MAX_PLAN_BYTES), dryRun }),
  /** the current version, or the one asked for */
  'plan-show': z.strictObject({ domain: name, version: z.number().int().min(1).optional(), dryRun }),
  'plan-continue': z.strictObject({ taskId, dryRun }),
  /** take points of the domain's recovered VMs where they run now, every `every` seconds (default from its RPO objective) */
  reprotect: z.strictObject({
    domain: name,
    every: z.number().int().min(REPROTECT_EVERY_MIN_SECONDS).max(REPROTECT_EVERY_MAX_SECONDS).optional(),
    dryRun,
  }),
  /** the domain's objectives; an objective left out stays as it is, null removes it */
  'domain-set': z
    .strictObject({ domain: name, rpoSeconds: objective, rtoSeconds: objective, dryRun })
    .refine((d) => d.rpoSeconds !== undefined || d.rtoSeconds !== undefined, 'give rpoSeconds, rtoSeconds or both'),
} satisfies Record<Operation, z.ZodType>;

export type CommandData<O extends Operation> = z.infer<(typeof commandDataSchemas)[O]>;
export type FailoverData = CommandData<'failover'>;

/** Issues listed in a message at most; the rest are counted. */
const MAX_ISSUES = 3;
/** Characters of one path segment or issue message at most (either may echo the input). */
const MAX_ECHO = 100;
const clip = (s: string) => (s.length > MAX_ECHO ? `${s.slice(0, MAX_ECHO)}…` : s);

/** At most a few lines, each bounded, e.g. `data.vms[0]: lower-case letters, ...`. */
export function describeIssues(error: z.ZodError, root = 'data'): string {
  const lines = error.issues
    .slice(0, MAX_ISSUES)
    .map(
      (i) =>
        `${[root, ...i.path].map((p, n) => (typeof p === 'number' ? `[${p}]` : n ? `.${clip(String(p))}` : String(p))).join('')}: ${clip(i.message)}`,
    );
  const more = error.issues.length - MAX_ISSUES;
  return lines.join('; ') + (more > 0 ? `; and ${more} more` : '');
}
