import { EVENTS, Finalized, REASONS } from '@jss/contract';
import { PlanAction, TaskPlanRun } from '@jss/recovery-plans';
import { StepProgress, Task, TaskError, sameSet } from '@jss/tasks';
import { Decision, FlowContext, Step, taskIn } from './decision';
import { failDecision } from './end';
import { upDecision } from './vms-up';
import { Outbound, event, idsOf } from './outbound';
import { finalizeWork } from './work-messages';

// A task's recovery plan, driven step by step from what Redis holds (PlanProgress): each input —
// a group up, a webhook or check done, plan-continue, a timer, the task monitor's tick — looks at
// the first step not passed and decides. Nothing waits in a process: a crash of any replica at any
// moment leaves the progress where another replica goes on.

/** A power-on whose finalize went out this long ago without its group coming up is sent again (a lost message; finalize is idempotent). */
export const POWER_ON_RESEND_MS = 30_000;

type StepEnd = Pick<StepProgress, 'status' | 'timedOut' | 'continued' | 'reason' | 'message'>;

/** Done with: completed, or failed with continue-on-failure. */
const passed = (p: StepProgress | undefined) => p?.status === 'completed' || (p?.status === 'failed' && !!p.continued);

const stepOf = (task: Task, a: PlanAction) => ({ ...idsOf(task), stepId: a.stepId, group: a.group, phase: a.phase, kind: a.kind });

/** The plan of a task in finalizing or awaiting-approval: start, wait for, or end its current step. */
export const planStep: Step<{ taskId: string; now?: number }> = async (ctx, { taskId, now = Date.now() }) => {
  const task = await taskIn(ctx, taskId, ['finalizing', 'awaiting-approval']);
  const run = task?.spec.recoveryPlan;
  if (!task || !run) return null;
  const progress = await ctx.tasks.steps.all(taskId);
  const index = run.actions.findIndex((a) => !passed(progress[a.stepId]));
  const action = run.actions[index];
  const p = action && progress[action.stepId];
  // an approve step ended (or a crash came between an approve's record and the move): go on
  if (task.state === 'awaiting-approval' && !(action?.kind === 'approve' && p?.status === 'running')) {
    return { task, move: { from: ['awaiting-approval'], to: 'finalizing' }, send: [], then: 'plan' };
  }
  if (!action) return upDecision(task, task.recovered ?? []);
  // a failed step recorded, the task's failure not yet made (a crash between the two)
  if (p?.status === 'failed') return failDecision(task, { reason: p.reason ?? REASONS.planStepFailed, message: p.message ?? '' });
  if (p) return runningDecision(ctx, task, run, index, p, progress, now, []);
  const startedAt = new Date(now).toISOString();
  if (!(await ctx.tasks.steps.start(taskId, action.stepId, startedAt))) return null;
  const expiresAt = action.kind === 'approve' ? new Date(now + action.timeoutSeconds * 1000).toISOString() : undefined;
  const started = event(EVENTS.planStepStarted, { ...stepOf(task, action), startedAt, ...(expiresAt && { expiresAt }) });
  return runningDecision(ctx, task, run, index, { status: 'running', startedAt }, progress, now, [started]);
};

/** A step that runs: end it when its time has come, else say when to look again (or run its effect). */
async function runningDecision(
  ctx: FlowContext,
  task: Task,
  run: TaskPlanRun,
  index: number,
  p: StepProgress,
  progress: Record<string, StepProgress>,
  now: number,
  send: Outbound[],
): Promise<Decision | null> {
  const action = run.actions[index];
  const since = Date.parse(p.startedAt);
  const orNothing = send.length ? { task, send } : null;
  // waiting within the step's own bound is a move for the watchdog; a group's power-on awaiting its provisioner is not
  const waiting = async (due: number): Promise<Decision> => {
    await ctx.tasks.steps.touch(task.id);
    return { task, send, wakeAt: due };
  };
  switch (action.kind) {
    case 'wait': {
      const due = since + action.seconds * 1000;
      return now < due ? waiting(due) : endDecision(ctx, task, action, p, { status: 'completed' }, send);
    }
    case 'approve': {
      const due = since + action.timeoutSeconds * 1000;
      if (now >= due) {
        const message = `no plan-continue within ${action.timeoutSeconds}s`;
        const end: StepEnd =
          action.onTimeout === 'continue'
            ? { status: 'completed', timedOut: true }
            : { status: 'failed', timedOut: true, reason: REASONS.planStepFailed, message };
        return endDecision(ctx, task, action, p, end, send);
      }
      if (task.state === 'awaiting-approval') return { task, send, wakeAt: due };
      return { task, move: { from: ['finalizing'], to: 'awaiting-approval' }, send, wakeAt: due };
    }
    case 'power-on': {
      if (!p.sentAt) {
        // the delay counts from the group before being up (the first group: from reaching its power-on)
        const before = run.actions
          .slice(0, index)
          .filter((a) => a.kind === 'power-on')
          .at(-1);
        const up = before && progress[before.stepId]?.endedAt;
        const due = (up ? Date.parse(up) : since) + action.delaySeconds * 1000;
        if (now < due) return waiting(due);
        if (!(await ctx.tasks.steps.markSent(task.id, action.stepId))) return orNothing;
        return { task, send: [...send, finalizeWork(task, action)], wakeAt: now + POWER_ON_RESEND_MS };
      }
      const resend =
        now - Date.parse(p.sentAt) > POWER_ON_RESEND_MS && (await ctx.tasks.steps.lease(task.id, action.stepId, POWER_ON_RESEND_MS));
      return resend ? { task, send: [...send, finalizeWork(task, action)], wakeAt: now + POWER_ON_RESEND_MS } : orNothing;
    }
    default:
      // webhook, check: run by the flow under a lease (a replica that died mid-run leaves it to expire, bounding the wait)
      await ctx.tasks.steps.touch(task.id);
      return { task, send, effect: action };
  }
}

/** Ends a running step once (across replicas): the plan goes on, or (a failure that may not continue) the task fails. */
async function endDecision(
  ctx: FlowContext,
  task: Task,
  action: PlanAction,
  p: StepProgress,
  end: StepEnd,
  send: Outbound[],
): Promise<Decision | null> {
  const endedAt = await ctx.tasks.steps.end(task.id, action.stepId, end);
  if (!endedAt) return send.length ? { task, send } : null;
  const times = { ...stepOf(task, action), startedAt: p.startedAt, endedAt };
  const goOn = (ended: Outbound): Decision => ({
    task,
    ...(task.state === 'awaiting-approval' && { move: { from: ['awaiting-approval'] as const, to: 'finalizing' as const } }),
    send: [...send, ended],
    then: 'plan',
  });
  if (end.status === 'completed') return goOn(event(EVENTS.planStepCompleted, { ...times, ...(end.timedOut && { timedOut: true }) }));
  const error: TaskError = {
    reason: end.reason ?? REASONS.planStepFailed,
    message: `plan step ${action.stepId}: ${end.message ?? 'failed'}`,
  };
  const failed = event(EVENTS.planStepFailed, { ...times, ...error, continued: !!end.continued });
  if (end.continued) return goOn(failed);
  const fail = failDecision(task, error);
  return { ...fail, send: [...send, failed, ...fail.send] };
}

/** A group's VMs are up (reply.finalized): its power-on ends, the VMs join the task's recovered ones. */
export async function groupUpDecision(ctx: FlowContext, task: Task, msg: Finalized): Promise<Decision | null> {
  const progress = await ctx.tasks.steps.all(task.id);
  const action = task.spec.recoveryPlan!.actions.find(
    (a) =>
      a.kind === 'power-on' &&
      progress[a.stepId]?.status === 'running' &&
      sameSet(
        a.vms,
        msg.vms.map((v) => v.vm),
      ),
  );
  if (!action) return null;
  const recovered = [...(task.recovered ?? []).filter((r) => !msg.vms.some((v) => v.vm === r.vm)), ...msg.vms];
  await ctx.tasks.patch(task.id, { recovered });
  return endDecision(ctx, { ...task, recovered }, action, progress[action.stepId], { status: 'completed' }, []);
}

/** plan-continue: the approve step the task is paused at is passed. */
export const planContinueStep: Step<{ taskId: string }> = async (ctx, { taskId }) => {
  const task = await taskIn(ctx, taskId, ['awaiting-approval']);
  const found = task && (await runningStep(ctx, task, (a) => a.kind === 'approve'));
  return found ? endDecision(ctx, task, found.action, found.p, { status: 'completed' }, []) : null;
};

/** A webhook or check ran: its step ends with what it found. */
export const planEffectDoneStep: Step<{ taskId: string; stepId: string; error: TaskError | null }> = async (ctx, input) => {
  const task = await taskIn(ctx, input.taskId, ['finalizing']);
  const found = task && (await runningStep(ctx, task, (a) => a.stepId === input.stepId));
  if (!found) return null;
  const end: StepEnd = input.error
    ? { status: 'failed', continued: found.action.continueOnFailure, ...input.error }
    : { status: 'completed' };
  return endDecision(ctx, task, found.action, found.p, end, []);
};

async function runningStep(ctx: FlowContext, task: Task, which: (a: PlanAction) => boolean) {
  const progress = await ctx.tasks.steps.all(task.id);
  const action = task.spec.recoveryPlan?.actions.find((a) => which(a) && progress[a.stepId]?.status === 'running');
  return action ? { action, p: progress[action.stepId] } : null;
}
