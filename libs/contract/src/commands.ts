import { z } from 'zod';
import { Operation } from './names';

// The data of each command (contract: design.md, "Command data per operation").
// Unknown fields are refused so that a typo is reported instead of silently ignored.

/** The longest delay a boot-order group may ask for. */
export const BOOT_DELAY_MAX_SECONDS = 600;

/** The longest a failover may wait for its commit or rollback (30 days). */
export const COMMIT_WAIT_MAX_SECONDS = 30 * 24 * 3600;

export const NAME_PATTERN = /^[a-z0-9][a-z0-9-]{0,62}$/;
const name = z.string().regex(NAME_PATTERN, 'lower-case letters, digits and "-", at most 63 characters');

const target = z.strictObject({
  cluster: z.string().min(1).optional(),
  datastore: z.string().min(1).optional(),
  network: z.string().min(1).optional(),
});
export type Target = z.infer<typeof target>;

const vms = z.array(name).min(1).max(5000);
/** A group of VMs powered on together once the group before is up; `delaySeconds` more after it. */
const bootGroup = z.union([
  z.array(name).min(1),
  z.strictObject({ vms: z.array(name).min(1), delaySeconds: z.number().int().min(0).max(BOOT_DELAY_MAX_SECONDS) }),
]);
const recoveryPoint = z.string().min(1).max(100);
const taskId = z.string().min(1).max(100);
const dryRun = z.boolean().optional();

/** After the VMs are up, wait for recovery.commit / recovery.rollback, or do what the policy says after afterSeconds. */
const commitPolicy = z
  .strictObject({
    policy: z.enum(['manual', 'commit', 'rollback']),
    afterSeconds: z.number().int().min(1).max(COMMIT_WAIT_MAX_SECONDS).optional(),
  })
  .refine((c) => c.policy === 'manual' || c.afterSeconds !== undefined, { message: 'afterSeconds is required with policy commit or rollback' });

const failover = z.strictObject({
  domain: name,
  vms: vms.optional(),
  recoveryPoint: recoveryPoint.optional(),
  target: target.optional(),
  bootOrder: z.array(bootGroup).max(100).optional(),
  networkMap: z.record(name, z.strictObject({ network: z.string().min(1), ip: z.ipv4().optional() })).optional(),
  taskId: taskId.optional(),
  commit: commitPolicy.optional(),
  dryRun,
});

export const commandDataSchemas = {
  failover,
  'planned-failover': failover,
  'continuous-failover': z.strictObject({ domain: name, vms: vms.optional(), target: target.optional(), dryRun }),
  failback: z.strictObject({ domain: name, vms: vms.optional(), dryRun }),
  restore: z.strictObject({
    domain: name,
    vms,
    recoveryPoint: recoveryPoint.optional(),
    target: target.optional(),
    rename: z.record(name, name).optional(),
    replace: z.boolean().optional(),
    dryRun,
  }),
  'test-failover': z.strictObject({
    domain: name,
    vms: vms.optional(),
    recoveryPoint: recoveryPoint.optional(),
    target: target.optional(),
    ttl: z.number().int().positive().optional(),
    dryRun,
  }),
  'test-cleanup': z.strictObject({ taskId, dryRun }),
  cancel: z.strictObject({ taskId, dryRun }),
  commit: z.strictObject({ taskId, dryRun }),
  rollback: z.strictObject({ taskId, dryRun }),
} satisfies Record<Operation, z.ZodType>;

export type CommandData<O extends Operation> = z.infer<(typeof commandDataSchemas)[O]>;
export type FailoverData = CommandData<'failover'>;

/** One line per problem, e.g. `data.vms[0]: lower-case letters, ...`. */
export function describeIssues(error: z.ZodError, root = 'data'): string {
  return error.issues
    .map(
      (i) =>
        `${[root, ...i.path].map((p, n) => (typeof p === 'number' ? `[${p}]` : n ? `.${String(p)}` : String(p))).join('')}: ${i.message}`,
    )
    .join('; ');
}
