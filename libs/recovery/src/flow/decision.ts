import type { Manifest, ReplicaRepository } from '@jss/replica';
import type { Task, TaskState, TaskStore } from '@jss/tasks';
import type { Outbound } from './outbound';
import type { EffectStep } from './plan-effects';

/** The task a decision is about: who caused it, and the trace its messages carry. */
export type TaskRef = Pick<Task, 'id' | 'commandId' | 'traceparent'>;

/** A state move: compare-and-set from one of `from` to `to`, with the fields it sets. */
export interface Move {
  from: readonly TaskState[];
  to: TaskState;
  patch?: Partial<Task>;
  /** a new round of range jobs: forget the last round's done set and bytes, in the same atomic move */
  resetJobs?: boolean;
}

/**
 * What a decider decided. With a move, `send` goes out only if this call made the move (kept in the
 * task's outbox until every publish is confirmed, so a crash cannot lose it); without one, at once.
 */
export interface Decision {
  task: TaskRef;
  move?: Move;
  send: Outbound[];
  /** local effects (metrics, logs) once the move is made */
  onMoved?: () => void | Promise<void>;
  /** the decider to run next for the same task, once this decision is carried out */
  then?: FollowUp;
  /** recovery plan: drive the task's plan again at this time (ms): a wake-up only, the task monitor drives it too */
  wakeAt?: number;
  /** recovery plan: a webhook or check step to run, in the background under a lease (plan-effects.ts) */
  effect?: EffectStep;
}

/** Deciders that may follow another at once (named, so deciders never import each other). */
export type FollowUp = 'advance' | 'check-rehydrated' | 'plan';

/** What deciders may read: the task store (records and bookkeeping) and the replicas. */
export interface FlowContext {
  tasks: TaskStore;
  replica: ReplicaRepository;
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
