import { z } from 'zod';
import type { EventName } from './event-names';
import { PLAN_STEP_KINDS } from './plan-steps';
import { SCANNED_VERDICTS, pointVerdictSchema, vmScanSchema } from './scan';
import { VM_KINDS } from './vm-kinds';

// zod schemas of the public events' data: the one definition, from which events.ts takes its types
// and asyncapi.yaml its schemas; a consumer can validate what it receives with them. Plain (not
// strict) objects: a consumer must accept fields a later version adds.

const caused = { commandId: z.string() };
const ofTask = { ...caused, taskId: z.string() };
/** the broker user who sent the command (audit trail; absent on tasks from before it was recorded) */
const requestedBy = z.string().optional();

/** unmanaged: a VM the system did not create (only in vm.deleted, when an admin's restore replaced it) */
const vmKind = z.enum([...VM_KINDS, 'unmanaged']);
const vmProgress = z.object({ bytesDone: z.number(), bytesTotal: z.number() });
/** the protected VM (vm) and what stands for it now (name) */
const recoveredVm = z.object({ vm: z.string(), name: z.string(), site: z.string(), ip: z.string().nullable() });
const vmReport = z.object({
  name: z.string(),
  bytes: z.number(),
  bytesRead: z.number(),
  blocksRead: z.number(),
  blocksSkippedZero: z.number(),
  blocksSkippedUnchanged: z.number(),
  rehydrationSeconds: z.number(),
  /** from the task's start to this VM powered on */
  powerOnSeconds: z.number().nullable(),
  /** bytes the rehydrators wrote to its disks (a delta writes only changed blocks) */
  bytesWritten: z.number().optional(),
  /**
   * failback: what its disks started from — a copy of the original disk at its site, which still
   * held `pointId` (only blocks changed since were read and written), or an empty disk and why
   */
  startedFrom: z
    .object({ kind: z.enum(['original-copy', 'empty']), pointId: z.string().nullable(), reason: z.string().nullable() })
    .optional(),
});

/** A forecast of a recovery's RTO and what it rests on (the dry run's, jssctl domains', the metric's). */
const rtoForecast = z.object({
  seconds: z.number(),
  /** measured: from this installation's recent recoveries (failovers, failbacks, test failovers and drills); default: none yet */
  basis: z.enum(['measured', 'default']),
  /** recoveries the figures come from */
  samples: z.number(),
  /** non-zero bytes to read and write */
  bytes: z.number(),
  rateBytesPerSecond: z.number(),
  vms: z.number(),
  /** the part that does not grow with bytes or VMs (appliance, messages) */
  fixedSeconds: z.number(),
  perVmSeconds: z.number(),
  /** the recovery plan's waits and delays, or the command's boot-order delays */
  waitSeconds: z.number(),
});

/** One step of a task's recovery plan: its id (`<group>.<phase>.<n>`), group, phase and kind. */
const planStep = {
  ...ofTask,
  stepId: z.string(),
  group: z.string(),
  /** before / after: a step of the group's; boot: the group's VMs powered on */
  phase: z.enum(['before', 'boot', 'after']),
  kind: z.enum(PLAN_STEP_KINDS),
};
/** A step of a task's recovery plan as the task report (and a drill's evidence) lists it. */
export const planStepReport = z.object({
  stepId: z.string(),
  group: z.string(),
  phase: z.enum(['before', 'boot', 'after']),
  kind: z.enum(PLAN_STEP_KINDS),
  status: z.enum(['pending', 'running', 'completed', 'failed']),
  startedAt: z.string().nullable(),
  endedAt: z.string().nullable(),
  /** an approve step whose time ran out (and whose step said to go on, or the task failed) */
  timedOut: z.boolean().optional(),
  /** failed, and the plan went on (continue-on-failure) */
  continued: z.boolean().optional(),
  message: z.string().optional(),
});

/** A task's recovery point, with its scan verdict when the task looked it up (suspicious: `message` says which VMs and why). */
const taskPoint = z.object({ id: z.string(), time: z.string(), ...pointVerdictSchema.shape });

/** A recovery point that was written (no task: `subject` is the point id). */
const pointData = { domain: z.string(), pointId: z.string(), time: z.string() };
const pointScanned = z.object({
  ...pointData,
  verdict: z.enum(SCANNED_VERDICTS),
  scannedAt: z.string(),
  vms: z.array(vmScanSchema),
});

const vmEventData = z.object({
  ...ofTask,
  name: z
    .string()
    .describe(
      'jss-rocva-<domain>, jss-rvm-<name of the VM it becomes>, jss-tvm-<domain>-<vm>, or the recovered VM itself; a name past 80 characters keeps its first 71 and ends in "-" and 8 hex digits of its sha256',
    ),
  kind: vmKind,
  site: z.string(),
  domain: z.string(),
  ip: z.string().nullable().optional(),
});

export const eventDataSchemas = {
  'command.rejected': z.object({ ...caused, reason: z.string(), message: z.string(), operation: z.string().optional() }),
  'task.accepted': z.object({
    ...ofTask,
    requestedBy,
    operation: z.string(),
    domain: z.string(),
    vms: z.array(z.string()),
    recoveryPoint: taskPoint,
  }),
  'task.progress': z.object({
    ...ofTask,
    bytesDone: z.number(),
    bytesTotal: z.number(),
    bytesPerSecond: z.number(),
    etaSeconds: z.number().nullable(),
    /** per VM; a task of more than LIMITS.vmsPerEvent VMs lists that many of those not yet done */
    vms: z.record(z.string(), vmProgress),
    /** VMs whose disks are all written, of vmsTotal */
    vmsDone: z.number().optional(),
    vmsTotal: z.number().optional(),
  }),
  'task.stalled': z.object({ ...ofTask, bytesDone: z.number(), bytesTotal: z.number(), stalledSeconds: z.number() }),
  'task.completed': z.object({
    ...ofTask,
    requestedBy,
    operation: z.string(),
    domain: z.string(),
    vms: z.array(recoveredVm),
    bytesTotal: z.number(),
    durationSeconds: z.number(),
  }),
  'task.failed': z.object({ ...ofTask, requestedBy, reason: z.string(), message: z.string() }),
  'task.cancelled': z.object({ ...ofTask, requestedBy }),
  /** a failover rolled back: its recovered VMs are gone, a planned failover's source VMs on again */
  'task.rolled-back': z.object({ ...ofTask, requestedBy }),
  /**
   * Test VMs are up (test-failover): they stay until test-cleanup, cancel or the time limit; or a
   * failover's VMs are up and it waits for commit or rollback (`commit`: the policy, at expiresAt)
   */
  'task.ready': z.object({
    ...ofTask,
    vms: z.array(recoveredVm),
    expiresAt: z.string().nullable(),
    commit: z.enum(['manual', 'commit', 'rollback']).optional(),
  }),
  /** a dry run's answer: what the command would do; nothing was created */
  'task.planned': z.object({
    ...caused,
    operation: z.string(),
    domain: z.string(),
    vms: z.array(z.string()),
    recoveryPoint: taskPoint,
    target: z.object({ site: z.string(), cluster: z.string(), datastore: z.string(), network: z.string() }),
    create: z.array(z.object({ name: z.string(), kind: vmKind })),
    /** the bytes read from the store and written: the non-zero blocks (a failback from the original disks: the changed ones) */
    bytesToRehydrate: z.number(),
    /** the disks' logical size, zero blocks included (what task.completed's bytesTotal counts) */
    bytesTotal: z.number(),
    estimatedSeconds: z.number(),
    /** how estimatedSeconds was reached (the same model as jssctl domains and jss_domain_rto_forecast_seconds) */
    forecast: rtoForecast.optional(),
  }),
  /** continuous failover: the RVMs now hold this point; lag = its age */
  'task.synced': z.object({
    ...ofTask,
    recoveryPoint: z.object({ id: z.string(), time: z.string() }),
    lagSeconds: z.number(),
    /** bytes read from the object store for this round (a delta reads only changed blocks) */
    bytesRead: z.number(),
    blocksRead: z.number(),
    blocksUnchanged: z.number(),
  }),
  /** published when a task ends, whatever the outcome */
  'task.report': z.object({
    ...ofTask,
    requestedBy,
    operation: z.string(),
    domain: z.string(),
    outcome: z.enum(['completed', 'failed', 'cancelled', 'rolled-back']),
    /** from the command to the last VM powered on; null if none was */
    rtoSeconds: z.number().nullable(),
    durationSeconds: z.number(),
    vms: z.array(vmReport),
    /** a task run with a recovery plan: the plan's version and every step with its times */
    plan: z.object({ version: z.number(), steps: z.array(planStepReport) }).optional(),
    /** the point recovered, when its scan verdict was looked up (failover, restore, test failover) */
    recoveryPoint: taskPoint.optional(),
  }),
  /** a step of the task's recovery plan began; an approve step pauses the task until plan-continue or expiresAt */
  'plan.step-started': z.object({ ...planStep, startedAt: z.string(), expiresAt: z.string().nullable().optional() }),
  'plan.step-completed': z.object({ ...planStep, startedAt: z.string(), endedAt: z.string(), timedOut: z.boolean().optional() }),
  /** continued: the step said continue-on-failure (or an approve said continue on timeout) and the plan goes on; else the task fails */
  'plan.step-failed': z.object({
    ...planStep,
    startedAt: z.string(),
    endedAt: z.string(),
    reason: z.string(),
    message: z.string(),
    continued: z.boolean(),
  }),
  /** plan-apply's answer: the version stored (a dry run stores nothing) */
  'plan.applied': z.object({
    ...caused,
    domain: z.string(),
    version: z.number().nullable(),
    appliedBy: z.string(),
    groups: z.number(),
    dryRun: z.boolean(),
    /** the document was the newest version's already: nothing stored, `version` is that one */
    unchanged: z.boolean(),
  }),
  /** plan-show's answer: the stored document as applied */
  'plan.shown': z.object({
    ...caused,
    domain: z.string(),
    version: z.number(),
    versions: z.number(),
    appliedBy: z.string(),
    appliedAt: z.string(),
    document: z.string(),
  }),
  /** re-protection of a domain stored (recovery.reprotect, or a failover with reprotect: true): points of its VMs at `site` every `everySeconds` */
  'reprotect.started': z.object({
    ...caused,
    taskId: z.string().optional(),
    domain: z.string(),
    site: z.string(),
    everySeconds: z.number(),
    requestedBy: z.string(),
    dryRun: z.boolean(),
  }),
  /** a failback completed: re-protection from the recovery site ends, the domain is protected from `site` (home) again */
  'reprotect.ended': z.object({ ...ofTask, domain: z.string(), site: z.string() }),
  /** domain-set's answer: the domain's objectives as stored (null: none) */
  'domain.updated': z.object({
    ...caused,
    domain: z.string(),
    rpoSeconds: z.number().nullable(),
    rtoSeconds: z.number().nullable(),
    updatedBy: z.string(),
    dryRun: z.boolean(),
  }),
  'appliance.created': vmEventData,
  'appliance.deleted': vmEventData,
  'vm.created': vmEventData,
  'vm.deleted': vmEventData,
  /** answer to drill-schedule (no task): the schedule stored, or with dryRun what would be */
  'drill.scheduled': z.object({
    ...caused,
    domain: z.string(),
    every: z.string(),
    scheduledBy: z.string(),
    nextDueAt: z.string(),
    ttl: z.number(),
    rtoObjectiveSeconds: z.number().nullable(),
    alertAfterSeconds: z.number(),
    dryRun: z.boolean(),
  }),
  /** answer to drill-unschedule (no task): drills due later will not run; one running goes on to its end */
  'drill.unscheduled': z.object({ ...caused, domain: z.string(), dryRun: z.boolean() }),
  /**
   * A drill ended and its evidence report is in the object store; `commandId` is the drill id (the
   * id of its test failover's command), `subject` its task (none when refused before one existed).
   * Keep `sha256` elsewhere to show later that the stored report was not changed.
   */
  'drill.ended': z.object({
    ...caused,
    drillId: z.string(),
    domain: z.string(),
    taskId: z.string().nullable(),
    outcome: z.enum(['passed', 'failed']),
    reason: z.string().nullable(),
    report: z.object({ json: z.string(), html: z.string() }),
    sha256: z.string(),
  }),
  /** a recovery point was written (jssctl replica, the replicator): the scanners scan it */
  'point.created': z.object({ ...pointData, parent: z.string().nullable(), site: z.string(), vms: z.array(z.string()) }),
  /** a recovery point was scanned: its verdict and each VM's, with the figures (published again, same id, when it is handled again) */
  'point.scanned': pointScanned,
  /** as point.scanned, for a point found suspicious: at least one of its VMs is */
  'point.suspicious': pointScanned,
} satisfies Record<EventName, z.ZodType>;
