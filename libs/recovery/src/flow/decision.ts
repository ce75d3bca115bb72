import type { Manifest, ReplicaRepository } from '@jss/replica';
import type { Bookkeeping, Claim, Move, Task, TaskReader, TaskState } from '@jss/tasks';
import type { Outbound } from './outbound';
import type { EffectStep } from './plan-effects';

export type { Move };

/** The task a decision is about: who caused it, and the trace its messages carry. */
export type TaskRef = Pick<Task, 'id' | 'commandId' | 'traceparent'>;

/**
 * What a decider decided, carried out by TaskFlow in this order: the bookkeeping; the
 * compare-and-set (the move and/or the claim, with the messages kept in the task's outbox until
 * every publish is confirmed, so a crash cannot lose them) — when it does not hold, nothing more;
 * the messages; the follow-up.
 */
export interface Decision {
  task: TaskRef;
  /** writes made first, whether or not the compare-and-set holds (each harmless when made again) */
  record?: Bookkeeping[];
  move?: Move;
  /** a step of the task's recovery plan started, changed or ended, or a lease: compare-and-set too */
  claim?: Claim;
  send: Outbound[];
  /** send only if no message of this kind went out for the task within `ms` (across planner replicas) */
  throttle?: { what: string; ms: number };
  /** local effects (metrics) once the compare-and-set held */
  onMoved?: () => void;
  /** the decider to run next for the same task, once this decision is carried out */
  then?: FollowUp;
  /** recovery plan: drive the task's plan again at this time (ms): a wake-up only, the task monitor drives it too */
  wakeAt?: number;
  /** recovery plan: a webhook or check step to run, in the background under a lease (plan-effects.ts) */
  effect?: EffectStep;
}

/** Deciders that may follow another at once (named, so deciders never import each other). */
export type FollowUp = 'advance' | 'check-prepared' | 'check-rehydrated' | 'plan';

/** What deciders may read — the tasks (records and bookkeeping) and the replicas — and nothing they could write through. */
export interface FlowContext {
  tasks: TaskReader;
  replica: Pick<ReplicaRepository, 'resolvePoint'>;
  /** the manifest of a point of the task's domain, or null if it vanished */
  point(task: Pick<Task, 'domain'>, pointId: string): Promise<Manifest | null>;
}

/** A decider: one input (a reply, a command, a tick) for one task → what to do, or null for nothing. */
export type Decider<I> = (ctx: FlowContext, input: I) => Promise<Decision | null>;

/** Loads a task if it is in one of the states a decider acts in. */
export async function taskIn(ctx: FlowContext, taskId: string, states: readonly TaskState[]): Promise<Task | null> {
  const task = await ctx.tasks.get(taskId);
  return task && states.includes(task.state) ? task : null;
}
