import { EVENTS, Finalized, REASONS, TIMING, exhaustive } from '@jss/contract';
import { PlanStep, RecoveryPlanRun } from '@jss/recovery-plans';
import { Claim, PlanStepProgress, Task, TaskError, sameSet } from '@jss/tasks';
import { Decision, FlowContext } from './decision';
import { failDecision } from './end';
import { Outbound, event, idsOf } from './outbound';
import { finalizeWork } from './work-messages';

// A task's recovery plan, driven step by step from what Redis holds (PlanProgress): each input —
// a group up, a webhook or check done, plan-continue, a timer, the task monitor's tick — looks at
// the first step not passed and decides. Nothing waits in a process: a crash of any replica at any
// moment leaves the progress where another replica goes on. A step's progress changes only by a
// decision's claim (compare-and-set), in the same script as the task's move and the outbox.

/** A power-on whose finalize went out this long ago without its group coming up is sent again (a lost message; finalize is idempotent). */
export const POWER_ON_RESEND_MS = TIMING.powerOn.resendMs;

export type PlanStepEnd = Pick<PlanStepProgress, 'status' | 'timedOut' | 'continued' | 'reason' | 'message'>;

/** A step as a decision finds it: its progress, and whether the decision starts it (`fresh`: nothing stored yet). */
export interface StepAt {
  step: PlanStep;
  p: PlanStepProgress;
  fresh: boolean;
}

/** Done with: completed, or failed with continue-on-failure. */
export const passed = (p: PlanStepProgress | undefined) => p?.status === 'completed' || (p?.status === 'failed' && !!p.continued);

export const stepOf = (task: Task, a: PlanStep) => ({ ...idsOf(task), stepId: a.stepId, group: a.group, phase: a.phase, kind: a.kind });

const iso = (ms: number) => new Date(ms).toISOString();

/** The claim that writes a step's progress: a fresh step is started with it; a stored one changed while it runs (`unsent`: its power-on not yet out). */
function claimOf(at: StepAt, fields: Partial<PlanStepProgress>, guard: 'running' | 'unsent' = 'running'): Claim {
  const stepId = at.step.stepId;
  return at.fresh ? { kind: 'step', stepId, guard: 'new', fields: { ...at.p, ...fields } } : { kind: 'step', stepId, guard, fields };
}

/** A step that runs: end it when its time has come, else say when to look again (or run its effect). A fresh step is started by whatever is decided. */
export function runningDecision(
  task: Task,
  run: RecoveryPlanRun,
  index: number,
  at: StepAt,
  progress: Record<string, PlanStepProgress>,
  now: number,
  send: Outbound[],
): Decision | null {
  const { step, p } = at;
  const since = Date.parse(p.startedAt);
  const started = at.fresh ? { claim: claimOf(at, {}) } : {};
  // waiting within the step's own bound is a move for the watchdog; a group's power-on awaiting its provisioner is not
  const waiting = (due: number): Decision => ({ task, ...started, record: [{ kind: 'touch' }], send, wakeAt: due });
  switch (step.kind) {
    case 'wait': {
      const due = since + step.seconds * 1000;
      return now < due ? waiting(due) : endDecision(task, at, { status: 'completed' }, send, now);
    }
    case 'approve': {
      const due = since + step.timeoutSeconds * 1000;
      if (now >= due) {
        const message = `no plan-continue within ${step.timeoutSeconds}s`;
        const end: PlanStepEnd =
          step.onTimeout === 'continue'
            ? { status: 'completed', timedOut: true }
            : { status: 'failed', timedOut: true, reason: REASONS.planStepFailed, message };
        return endDecision(task, at, end, send, now);
      }
      if (task.state === 'awaiting-approval') return { task, ...started, send, wakeAt: due };
      return { task, ...started, move: { from: ['finalizing'], to: 'awaiting-approval' }, send, wakeAt: due };
    }
    case 'power-on': {
      const resend = { send: [...send, finalizeWork(task, step)], wakeAt: now + POWER_ON_RESEND_MS };
      if (!p.sentAt) {
        // the delay counts from the group before being up (the first group: from reaching its power-on)
        const before = run.steps
          .slice(0, index)
          .filter((a) => a.kind === 'power-on')
          .at(-1);
        const up = before && progress[before.stepId]?.endedAt;
        const due = (up ? Date.parse(up) : since) + step.delaySeconds * 1000;
        if (now < due) return waiting(due);
        return { task, claim: claimOf(at, { sentAt: iso(now) }, 'unsent'), ...resend };
      }
      if (now - Date.parse(p.sentAt) <= POWER_ON_RESEND_MS) return send.length ? { task, ...started, send } : null;
      return { task, claim: { kind: 'lease', stepId: step.stepId, ms: POWER_ON_RESEND_MS }, ...resend };
    }
    case 'webhook':
    case 'check':
      // run by the flow under a lease (a replica that died mid-run leaves it to expire, bounding the wait)
      return { task, ...started, record: [{ kind: 'touch' }], send, effect: step };
    default:
      return exhaustive(step);
  }
}

/** Ends a running step once (across replicas): the plan goes on, or (a failure that may not continue) the task fails. */
export function endDecision(task: Task, at: StepAt, end: PlanStepEnd, send: Outbound[], now = Date.now()): Decision {
  const { step } = at;
  const endedAt = iso(now);
  const claim = claimOf(at, { ...end, endedAt });
  const times = { ...stepOf(task, step), startedAt: at.p.startedAt, endedAt };
  const goOn = (ended: Outbound): Decision => ({
    task,
    claim,
    ...(task.state === 'awaiting-approval' && { move: { from: ['awaiting-approval'] as const, to: 'finalizing' as const } }),
    send: [...send, ended],
    then: 'plan',
  });
  if (end.status === 'completed') return goOn(event(EVENTS.planStepCompleted, { ...times, ...(end.timedOut && { timedOut: true }) }));
  const error: TaskError = {
    reason: end.reason ?? REASONS.planStepFailed,
    message: `plan step ${step.stepId}: ${end.message ?? 'failed'}`,
  };
  const failed = event(EVENTS.planStepFailed, { ...times, ...error, continued: !!end.continued });
  if (end.continued) return goOn(failed);
  const fail = failDecision(task, error);
  return { ...fail, claim, send: [...send, failed, ...fail.send] };
}

/** A group's VMs are up (reply.finalized): its power-on ends, the VMs join the task's recovered ones. */
export async function groupUpDecision(ctx: FlowContext, task: Task, msg: Finalized): Promise<Decision | null> {
  const vms = msg.vms.map((v) => v.vm);
  const found = await runningPlanStep(ctx, task, (a) => a.kind === 'power-on' && sameSet(a.vms, vms));
  if (!found) return null;
  const recovered = [...(task.recovered ?? []).filter((r) => !vms.includes(r.vm)), ...msg.vms];
  // the same list again if the step's end was made already (the group's reply redelivered)
  const up = endDecision({ ...task, recovered }, found, { status: 'completed' }, []);
  return { ...up, record: [{ kind: 'patch', patch: { recovered } }] };
}

/** The step of the task's plan that runs and matches `which`, with its progress. */
export async function runningPlanStep(ctx: FlowContext, task: Task, which: (a: PlanStep) => boolean): Promise<StepAt | null> {
  const progress = await ctx.tasks.planProgress(task.id);
  const step = task.spec.recoveryPlan?.steps.find((a) => which(a) && progress[a.stepId]?.status === 'running');
  return step ? { step, p: progress[step.stepId], fresh: false } : null;
}
