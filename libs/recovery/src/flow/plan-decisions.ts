import { EVENTS, Finalized, REASONS, exhaustive } from '@jss/contract';
import { PlanStep, RecoveryPlanRun } from '@jss/recovery-plans';
import { PlanStepProgress, Task, TaskError, sameSet } from '@jss/tasks';
import { Decision, FlowContext } from './decision';
import { failDecision } from './end';
import { Outbound, event, idsOf } from './outbound';
import { finalizeWork } from './work-messages';

// A task's recovery plan, driven step by step from what Redis holds (PlanProgress): each input —
// a group up, a webhook or check done, plan-continue, a timer, the task monitor's tick — looks at
// the first step not passed and decides. Nothing waits in a process: a crash of any replica at any
// moment leaves the progress where another replica goes on.

/** A power-on whose finalize went out this long ago without its group coming up is sent again (a lost message; finalize is idempotent). */
export const POWER_ON_RESEND_MS = 30_000;

export type PlanStepEnd = Pick<PlanStepProgress, 'status' | 'timedOut' | 'continued' | 'reason' | 'message'>;

/** Done with: completed, or failed with continue-on-failure. */
export const passed = (p: PlanStepProgress | undefined) => p?.status === 'completed' || (p?.status === 'failed' && !!p.continued);

export const stepOf = (task: Task, a: PlanStep) => ({ ...idsOf(task), stepId: a.stepId, group: a.group, phase: a.phase, kind: a.kind });

/** A step that runs: end it when its time has come, else say when to look again (or run its effect). */
export async function runningDecision(
  ctx: FlowContext,
  task: Task,
  run: RecoveryPlanRun,
  index: number,
  p: PlanStepProgress,
  progress: Record<string, PlanStepProgress>,
  now: number,
  send: Outbound[],
): Promise<Decision | null> {
  const step = run.steps[index];
  const since = Date.parse(p.startedAt);
  const orNothing = send.length ? { task, send } : null;
  // waiting within the step's own bound is a move for the watchdog; a group's power-on awaiting its provisioner is not
  const waiting = async (due: number): Promise<Decision> => {
    await ctx.tasks.planSteps.touch(task.id);
    return { task, send, wakeAt: due };
  };
  switch (step.kind) {
    case 'wait': {
      const due = since + step.seconds * 1000;
      return now < due ? waiting(due) : endDecision(ctx, task, step, p, { status: 'completed' }, send);
    }
    case 'approve': {
      const due = since + step.timeoutSeconds * 1000;
      if (now >= due) {
        const message = `no plan-continue within ${step.timeoutSeconds}s`;
        const end: PlanStepEnd =
          step.onTimeout === 'continue'
            ? { status: 'completed', timedOut: true }
            : { status: 'failed', timedOut: true, reason: REASONS.planStepFailed, message };
        return endDecision(ctx, task, step, p, end, send);
      }
      if (task.state === 'awaiting-approval') return { task, send, wakeAt: due };
      return { task, move: { from: ['finalizing'], to: 'awaiting-approval' }, send, wakeAt: due };
    }
    case 'power-on': {
      if (!p.sentAt) {
        // the delay counts from the group before being up (the first group: from reaching its power-on)
        const before = run.steps
          .slice(0, index)
          .filter((a) => a.kind === 'power-on')
          .at(-1);
        const up = before && progress[before.stepId]?.endedAt;
        const due = (up ? Date.parse(up) : since) + step.delaySeconds * 1000;
        if (now < due) return waiting(due);
        if (!(await ctx.tasks.planSteps.markSent(task.id, step.stepId))) return orNothing;
        return { task, send: [...send, finalizeWork(task, step)], wakeAt: now + POWER_ON_RESEND_MS };
      }
      const resend =
        now - Date.parse(p.sentAt) > POWER_ON_RESEND_MS && (await ctx.tasks.planSteps.lease(task.id, step.stepId, POWER_ON_RESEND_MS));
      return resend ? { task, send: [...send, finalizeWork(task, step)], wakeAt: now + POWER_ON_RESEND_MS } : orNothing;
    }
    case 'webhook':
    case 'check':
      // run by the flow under a lease (a replica that died mid-run leaves it to expire, bounding the wait)
      await ctx.tasks.planSteps.touch(task.id);
      return { task, send, effect: step };
    default:
      return exhaustive(step);
  }
}

/** Ends a running step once (across replicas): the plan goes on, or (a failure that may not continue) the task fails. */
export async function endDecision(
  ctx: FlowContext,
  task: Task,
  step: PlanStep,
  p: PlanStepProgress,
  end: PlanStepEnd,
  send: Outbound[],
): Promise<Decision | null> {
  const endedAt = await ctx.tasks.planSteps.end(task.id, step.stepId, end);
  if (!endedAt) return send.length ? { task, send } : null;
  const times = { ...stepOf(task, step), startedAt: p.startedAt, endedAt };
  const goOn = (ended: Outbound): Decision => ({
    task,
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
  return { ...fail, send: [...send, failed, ...fail.send] };
}

/** A group's VMs are up (reply.finalized): its power-on ends, the VMs join the task's recovered ones. */
export async function groupUpDecision(ctx: FlowContext, task: Task, msg: Finalized): Promise<Decision | null> {
  const progress = await ctx.tasks.planSteps.all(task.id);
  const step = task.spec.recoveryPlan!.steps.find(
    (a) =>
      a.kind === 'power-on' &&
      progress[a.stepId]?.status === 'running' &&
      sameSet(
        a.vms,
        msg.vms.map((v) => v.vm),
      ),
  );
  if (!step) return null;
  const recovered = [...(task.recovered ?? []).filter((r) => !msg.vms.some((v) => v.vm === r.vm)), ...msg.vms];
  await ctx.tasks.patch(task.id, { recovered });
  return endDecision(ctx, { ...task, recovered }, step, progress[step.stepId], { status: 'completed' }, []);
}

/** The step of the task's plan that runs and matches `which`, with its progress. */
export async function runningPlanStep(ctx: FlowContext, task: Task, which: (a: PlanStep) => boolean) {
  const progress = await ctx.tasks.planSteps.all(task.id);
  const step = task.spec.recoveryPlan?.steps.find((a) => which(a) && progress[a.stepId]?.status === 'running');
  return step ? { step, p: progress[step.stepId] } : null;
}
