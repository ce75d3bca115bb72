import pLimit from 'p-limit';
import { Messenger } from '@jss/bus';
import { EventName, REASONS, TIMING, Failed, Finalized, PoweredOff, Prepared, RangeDone, RangeProgress, Replicated } from '@jss/contract';
import { Logger } from '@jss/observability';
import { ReplicaRepository } from '@jss/replica';
import { StoreUnreachableError } from '@jss/store';
import { Task, TaskError, TaskStore } from '@jss/tasks';
import { decideAdvance } from './advance.decider';
import { decideAwaitPoint } from './await-point.decider';
import { Decision, Decider, FlowContext, FollowUp } from './decision';
import { cancelDecision, cleanupTestDecision, commitDecision, failDecision } from './end';
import { decideFailed } from './failed.decider';
import { decideFinalized } from './finalized.decider';
import { Outbound, causeOf } from './outbound';
import { EffectStep, PlanEffects, leaseMsOf } from './plan-effects';
import { decidePlanContinue } from './plan-continue.decider';
import { decidePlanEffectDone } from './plan-effect-done.decider';
import { decidePlan } from './plan.decider';
import { decidePoweredOff } from './powered-off.decider';
import { decideAllPrepared, decidePrepared } from './prepared.decider';
import { decideRangeDone } from './range-done.decider';
import { decideRangeProgress } from './range-progress.decider';
import { decideRehydrated } from './rehydrated.decider';
import { decideReleased } from './released.decider';
import { decideStart } from './start.decider';

/** What the flow publishes through: the Messenger (a recording one in the deciders' unit tests). */
export type Publisher = Pick<Messenger, 'event' | 'send'>;

/** Publishes awaiting their confirms at once: one at a time, a 1,000-VM domain spent seconds sending range jobs. */
const SEND_CONCURRENCY = 32;
/** An outbox older than this was left by a crash (a live handler publishes within seconds): send it again. */
export const OUTBOX_STALE_MS = TIMING.watchdog.outboxStaleMs;

const FOLLOW_UPS: Record<FollowUp, Decider<{ taskId: string }>> = {
  advance: decideAdvance,
  'check-prepared': decideAllPrepared,
  'check-rehydrated': decideRehydrated,
  plan: decidePlan,
};
/** A plan's wake-up fires this much after the time it waits for (timers may fire a little early against Date.now()). */
const WAKE_SLACK_MS = 20;

/**
 * The planner's side of every task: each input (a reply, a command, a tick) runs its decider, which
 * decides; this carries the decision out — the state move (compare-and-set, with its messages kept
 * in the task's outbox), then the confirmed publishes, then the outbox cleared. A redelivered
 * input finds the state moved and does nothing; a crash between the move and the publishes is
 * repaired by resendStale. Consumers are idempotent, so a message sent twice does no harm.
 */
export class TaskFlow {
  private readonly ctx: FlowContext;

  constructor(
    private readonly tasks: TaskStore,
    private readonly messenger: Publisher,
    replica: ReplicaRepository,
    private readonly log: Logger,
    /** the webhook and check steps of recovery plans (the planner's; none in tests of other steps) */
    private readonly effects: PlanEffects | null = null,
  ) {
    this.ctx = { tasks, replica, point: (task, id) => replica.getPoint(task.domain, id) };
  }

  /** Per task, the timer that drives its plan again when a wait, delay or approval time is due. */
  private readonly wakes = new Map<string, NodeJS.Timeout>();

  start = (taskId: string) => this.run(decideStart, { taskId });
  onPoweredOff = (msg: PoweredOff) => this.run(decidePoweredOff, msg);
  onReplicated = (msg: Replicated) => this.run(decideAwaitPoint, { taskId: msg.taskId });
  awaitPoint = (taskId: string, now?: number) => this.run(decideAwaitPoint, { taskId, now });
  onPrepared = (msg: Prepared) => this.run(decidePrepared, msg);
  onRangeProgress = (msg: RangeProgress) => this.run(decideRangeProgress, msg);
  onRangeDone = (msg: RangeDone) => this.run(decideRangeDone, msg);
  advance = (taskId: string) => this.run(decideAdvance, { taskId });
  onFinalized = (msg: Finalized) => this.run(decideFinalized, msg);
  onReleased = (msg: { taskId: string }) => this.run(decideReleased, msg);
  onFailed = (msg: Failed) => this.run(decideFailed, msg);
  /** A task's recovery plan: look at its current step (from the monitor, timers, and after every decision). */
  drivePlan = (taskId: string, now?: number) => this.run(decidePlan, { taskId, now });
  /** plan-continue: the approve step the task waits at is passed. */
  continuePlan = (task: Task) => this.run(decidePlanContinue, { taskId: task.id });

  fail = (task: Task, error: TaskError) => this.decide(failDecision(task, error));
  cancel = (task: Task) => this.decide(cancelDecision(task));
  cleanupTest = (task: Task) => this.decide(cleanupTestDecision(task));
  commit = (task: Task) => this.decide(commitDecision(task, 'commit'));
  rollback = (task: Task) => this.decide(commitDecision(task, 'rollback'));

  /** A failover naming a continuous failover: cut over as soon as the RVMs hold the newest point. */
  async requestCutover(task: Task): Promise<void> {
    await this.decide({ task, record: [{ kind: 'patch', patch: { cutover: true } }], send: [], then: 'advance' });
  }

  /**
   * Waits past their time: a test failover's limit cleans it up; a failover awaiting its commit
   * does what its policy says.
   */
  async expireWaits(now = Date.now()): Promise<void> {
    for (const id of await this.tasks.liveIds()) {
      const t = await this.tasks.fields(id, 'state', 'expiresAt');
      if (!t?.expiresAt || Date.parse(t.expiresAt) > now || (t.state !== 'testing' && t.state !== 'awaiting-commit')) continue;
      const task = await this.tasks.get(id);
      if (!task) continue;
      const verdict = task.spec.commit?.policy === 'rollback' ? 'rollback' : 'commit';
      const testing = t.state === 'testing';
      if (await this.decide(testing ? cleanupTestDecision(task) : commitDecision(task, verdict))) {
        this.log.info(
          { taskId: id, commandId: task.commandId },
          testing ? 'test failover expired; cleaning up' : `commit time passed: ${verdict}`,
        );
      }
    }
  }

  /** Publishes what a crash left in an outbox (a move made, its messages maybe not sent). */
  async resendStale(now = Date.now()): Promise<void> {
    for (const box of await this.tasks.staleOutboxes(now - OUTBOX_STALE_MS)) {
      const task = await this.tasks.fields(box.taskId, 'id', 'commandId', 'traceparent');
      if (task) {
        this.log.warn({ taskId: box.taskId, slot: box.slot, messages: box.messages.length }, 'resending the messages of a move');
        await this.publish(task, box.messages as Outbound[]);
      }
      await this.tasks.clearOutbox(box.taskId, box.slot);
    }
  }

  /** Runs a decider and carries its decision out (then its follow-up); true when it moved or sent something. */
  private async run<I extends { taskId: string }>(decider: Decider<I>, input: I): Promise<boolean> {
    let decision: Decision | null;
    try {
      decision = await decider(this.ctx, input);
    } catch (err) {
      // the object store outlived its retries (reading a manifest): the task fails with the reason, not the message
      const task = err instanceof StoreUnreachableError ? await this.tasks.get(input.taskId) : null;
      if (!task) throw err;
      decision = failDecision(task, { reason: REASONS.storeUnreachable, message: err instanceof Error ? err.message : String(err) });
    }
    return decision ? this.decide(decision) : false;
  }

  /** Carries a decision out (decision.ts says in what order); false when its compare-and-set did not hold. */
  private async decide(d: Decision): Promise<boolean> {
    const { task, move, claim } = d;
    if (d.record?.length) await this.tasks.record(task.id, d.record);
    const slot = move?.to ?? (claim?.kind === 'step' ? `step:${claim.stepId}:${claim.guard}` : null);
    if (move || claim) {
      const outbox = slot && d.send.length ? { slot, messages: d.send } : undefined;
      if (!(await this.tasks.apply(task.id, { move, claim, outbox }))) return false;
      if (move) this.log.info({ taskId: task.id, commandId: task.commandId, state: move.to, ...move.patch?.error }, `task ${move.to}`);
      d.onMoved?.();
    }
    const open = !d.throttle || (await this.tasks.throttle(task.id, d.throttle.what, d.throttle.ms));
    const send = open ? d.send : [];
    await this.publish(task, send);
    if (slot && send.length) await this.tasks.clearOutbox(task.id, slot);
    if (d.wakeAt !== undefined) this.wake(task.id, d.wakeAt);
    if (d.effect) this.runEffect(task.id, d.effect);
    if (d.then) await this.run(FOLLOW_UPS[d.then], { taskId: task.id });
    return true;
  }

  /** A wake-up only: the progress is in Redis, and the task monitor drives every plan too (another replica after a crash). */
  private wake(taskId: string, at: number): void {
    clearTimeout(this.wakes.get(taskId));
    const timer = setTimeout(
      () => {
        this.wakes.delete(taskId);
        this.drivePlan(taskId).catch((err: unknown) => this.log.error({ taskId, err: String(err) }, 'recovery plan step failed to run'));
      },
      Math.max(0, at - Date.now()) + WAKE_SLACK_MS,
    );
    timer.unref();
    this.wakes.set(taskId, timer);
  }

  /**
   * A webhook or check, in the background (not in the handler of the message that reached it):
   * under a lease, so that one replica runs it and, should that one die, another after the lease.
   */
  private runEffect(taskId: string, step: EffectStep): void {
    const effects = this.effects;
    if (!effects) return;
    void (async () => {
      if (!(await this.tasks.planSteps.lease(taskId, step.stepId, leaseMsOf(step)))) return;
      const task = await this.tasks.get(taskId);
      if (!task) return;
      this.log.info({ taskId, commandId: task.commandId, step: step.stepId }, `plan step ${step.kind} running`);
      const error = await effects.run(task, step);
      await this.run(decidePlanEffectDone, { taskId, stepId: step.stepId, error });
    })().catch((err: unknown) => this.log.error({ taskId, step: step.stepId, err: String(err) }, 'recovery plan step failed to run'));
  }

  private async publish(task: Pick<Task, 'id' | 'commandId' | 'traceparent'>, send: Outbound[]): Promise<void> {
    const cause = causeOf(task);
    const limit = pLimit(SEND_CONCURRENCY);
    await Promise.all(
      send.map((m) =>
        limit(() =>
          'work' in m
            ? this.messenger.send({ key: m.work }, m.data, cause.traceparent)
            : this.messenger.event(m.event as EventName, cause, m.data as never),
        ),
      ),
    );
  }
}
