import { z } from 'zod';
import {
  BOOT_DELAY_MAX_SECONDS,
  LIMITS,
  MAX_VMS_PER_COMMAND,
  WRITTEN_STEP_KINDS,
  userName,
  WrittenStepKind,
  exhaustive,
} from '@jss/contract';

// A recovery plan as a person writes it (YAML): ordered groups of VMs, each powered on after a
// delay once the group before is up, with steps run before and after it. Strict objects: a typo is
// refused with its line instead of silently ignored.

export const MAX_GROUPS = LIMITS.planGroups;
export const MAX_STEPS_PER_PHASE = LIMITS.stepsPerPhase;
export const MAX_WAIT_SECONDS = 3600;
export const MAX_APPROVE_SECONDS = 7 * 24 * 3600;
export const MAX_WEBHOOK_SECONDS = 120;
export const MAX_WEBHOOK_RETRIES = 10;
export const MAX_CHECK_SECONDS = 3600;

const name = userName;
const seconds = (max: number) => z.number().int().min(0).max(max);

/** A VM of a group, by name, or with where the recovered VM goes (network, static address: re-IP). */
const planVm = z.union([
  name,
  z.strictObject({ name, network: z.string().min(1).max(LIMITS.placeNameLength).optional(), ip: z.ipv4().optional() }),
]);

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

/** What each kind of step takes in a document (a kind of the contract's list without one does not compile). */
export const STEP_SCHEMAS = {
  wait: seconds(MAX_WAIT_SECONDS),
  approve: z.union([approve, z.null().transform(() => approve.parse({}))]),
  webhook,
  check: z.union([check, z.null().transform(() => check.parse({}))]),
} satisfies Record<WrittenStepKind, z.ZodType>;

/** One step: exactly one of the kinds, and whether a failure lets the plan go on. */
const step = z
  .strictObject(STEP_SCHEMAS)
  .partial()
  .extend({ 'continue-on-failure': z.boolean().default(false) })
  .refine((s) => WRITTEN_STEP_KINDS.filter((k) => s[k] !== undefined).length === 1, {
    message: `a step is exactly one of ${WRITTEN_STEP_KINDS.join(', ')}`,
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
  description: z.string().max(LIMITS.messageLength).optional(),
  /** the recovery time objective the plan is meant to meet (reports measure against it) */
  rtoObjectiveSeconds: z.number().int().min(1).optional(),
  groups: z.array(group).min(1).max(MAX_GROUPS),
});
export type PlanDocument = z.infer<typeof planDocumentSchema>;
type DocumentStep = z.infer<typeof step>;

/** The fields of each kind of step as a task runs it (every default filled in). */
interface StepFields {
  wait: { seconds: number };
  approve: { timeoutSeconds: number; onTimeout: 'fail' | 'continue' };
  webhook: { url: string; timeoutSeconds: number; retries: number };
  check: { port: number | null; timeoutSeconds: number };
}

/** A step as a task runs it. */
export type PlanStepSpec = { [K in WrittenStepKind]: { kind: K } & StepFields[K] }[WrittenStepKind] & { continueOnFailure: boolean };

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
  // the schema let exactly one kind through
  const kind = WRITTEN_STEP_KINDS.find((k) => s[k] !== undefined)!;
  switch (kind) {
    case 'wait':
      return { kind, seconds: s.wait!, continueOnFailure };
    case 'approve':
      return { kind, ...s.approve!, continueOnFailure };
    case 'webhook':
      return { kind, ...s.webhook!, continueOnFailure };
    case 'check':
      return { kind, port: s.check!.port ?? null, timeoutSeconds: s.check!.timeoutSeconds, continueOnFailure };
    default:
      return exhaustive(kind);
  }
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
