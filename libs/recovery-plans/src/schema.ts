import { z } from 'zod';
import { BOOT_DELAY_MAX_SECONDS, MAX_VMS_PER_COMMAND, NAME_PATTERN } from '@jss/contract';

// A recovery plan as a person writes it (YAML): ordered groups of VMs, each powered on after a
// delay once the group before is up, with steps run before and after it. Strict objects: a typo is
// refused with its line instead of silently ignored.

export const MAX_GROUPS = 100;
export const MAX_STEPS_PER_PHASE = 20;
export const MAX_WAIT_SECONDS = 3600;
export const MAX_APPROVE_SECONDS = 7 * 24 * 3600;
export const MAX_WEBHOOK_SECONDS = 120;
export const MAX_WEBHOOK_RETRIES = 10;
export const MAX_CHECK_SECONDS = 3600;

const name = z.string().max(63).regex(NAME_PATTERN, 'lower-case letters, digits and "-", at most 63 characters');
const seconds = (max: number) => z.number().int().min(0).max(max);

/** A VM of a group, by name, or with where the recovered VM goes (network, static address: re-IP). */
const planVm = z.union([name, z.strictObject({ name, network: z.string().min(1).max(80).optional(), ip: z.ipv4().optional() })]);

const webhook = z.strictObject({
  url: z
    .url({ protocol: /^https?$/ })
    .max(2000)
    .describe('an http or https URL'),
  timeoutSeconds: z.number().int().min(1).max(MAX_WEBHOOK_SECONDS).default(10),
  retries: z.number().int().min(0).max(MAX_WEBHOOK_RETRIES).default(3),
});
const approve = z.strictObject({
  timeoutSeconds: z.number().int().min(1).max(MAX_APPROVE_SECONDS).default(3600),
  onTimeout: z.enum(['fail', 'continue']).default('fail'),
});
const check = z.strictObject({
  port: z.number().int().min(1).max(65535).optional(),
  timeoutSeconds: z.number().int().min(1).max(MAX_CHECK_SECONDS).default(60),
});

/** One step: exactly one of wait / approve / webhook / check, and whether a failure lets the plan go on. */
const step = z
  .strictObject({
    wait: seconds(MAX_WAIT_SECONDS).optional(),
    approve: z.union([approve, z.null().transform(() => approve.parse({}))]).optional(),
    webhook: webhook.optional(),
    check: z.union([check, z.null().transform(() => check.parse({}))]).optional(),
    'continue-on-failure': z.boolean().default(false),
  })
  .refine((s) => [s.wait, s.approve, s.webhook, s.check].filter((x) => x !== undefined).length === 1, {
    message: 'a step is exactly one of wait, approve, webhook, check',
  });

const steps = z.array(step).max(MAX_STEPS_PER_PHASE).default([]);

const group = z.strictObject({
  name,
  /** seconds after the group before is up (the first group: after the VMs are rehydrated) */
  delaySeconds: seconds(BOOT_DELAY_MAX_SECONDS).default(0),
  vms: z.array(planVm).min(1).max(MAX_VMS_PER_COMMAND),
  before: steps,
  after: steps,
});

export const planDocumentSchema = z.strictObject({
  domain: name,
  description: z.string().max(2000).optional(),
  /** the recovery time objective the plan is meant to meet (reports measure against it) */
  rtoObjectiveSeconds: z.number().int().min(1).optional(),
  groups: z.array(group).min(1).max(MAX_GROUPS),
});
export type PlanDocument = z.infer<typeof planDocumentSchema>;
type DocumentStep = z.infer<typeof step>;

/** A step as a task runs it. */
export type PlanStepSpec = (
  | { kind: 'wait'; seconds: number }
  | { kind: 'approve'; timeoutSeconds: number; onTimeout: 'fail' | 'continue' }
  | { kind: 'webhook'; url: string; timeoutSeconds: number; retries: number }
  | { kind: 'check'; port: number | null; timeoutSeconds: number }
) & { continueOnFailure: boolean };

export interface PlanVm {
  name: string;
  network?: string;
  ip?: string;
}

export interface PlanGroup {
  name: string;
  delaySeconds: number;
  vms: PlanVm[];
  before: PlanStepSpec[];
  after: PlanStepSpec[];
}

/** A plan as stored and run: the document's meaning, every default filled in. */
export interface RecoveryPlan {
  domain: string;
  rtoObjectiveSeconds?: number;
  groups: PlanGroup[];
}

export function stepOf(s: DocumentStep): PlanStepSpec {
  const continueOnFailure = s['continue-on-failure'];
  if (s.wait !== undefined) return { kind: 'wait', seconds: s.wait, continueOnFailure };
  if (s.approve) return { kind: 'approve', ...s.approve, continueOnFailure };
  if (s.webhook) return { kind: 'webhook', ...s.webhook, continueOnFailure };
  return { kind: 'check', port: s.check!.port ?? null, timeoutSeconds: s.check!.timeoutSeconds, continueOnFailure };
}

export function planOf(doc: PlanDocument): RecoveryPlan {
  return {
    domain: doc.domain,
    ...(doc.rtoObjectiveSeconds && { rtoObjectiveSeconds: doc.rtoObjectiveSeconds }),
    groups: doc.groups.map((g) => ({
      name: g.name,
      delaySeconds: g.delaySeconds,
      vms: g.vms.map((v) => (typeof v === 'string' ? { name: v } : v)),
      before: g.before.map(stepOf),
      after: g.after.map(stepOf),
    })),
  };
}
