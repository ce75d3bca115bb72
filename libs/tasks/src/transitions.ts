// The task state machine as data: every move a task may make. transition() refuses any other; the
// ended states, the active ones and the outcome of each cleaning state are derived from this table,
// and the list of states in docs/architecture.md is checked against describeTransitions().

export const TASK_STATES = [
  'accepted', // validated, VMs reserved
  'quiescing', // planned failover: source VMs being powered off
  'awaiting-point', // planned failover: waiting for a recovery point newer than the power-off
  'provisioning', // RocVA and RVMs (or Test VMs) being created
  'rehydrating', // range jobs out to the rehydrators
  'standby', // continuous failover: RVMs hold the newest point; waiting for the next one or the cut-over
  'finalizing', // recovered VMs being created and powered on (Test VMs powered on); with a recovery plan, group by group with its steps
  'awaiting-approval', // recovery plan: paused at an approve step until plan-continue or the step's timeout
  'testing', // test failover: Test VMs up until test-cleanup, cancel or the time limit
  'awaiting-commit', // failover with a commit policy: VMs up, temporaries gone; waiting for commit or rollback
  'cleaning', // temporaries being removed after success
  'failing', // temporaries (and partial results) being removed after a failure
  'cancelling', // the same after a cancel
  'rolling-back', // the recovered VMs being removed (and a planned failover's source VMs powered on)
  'completed',
  'failed',
  'cancelled',
  'rolled-back',
] as const;
export type TaskState = (typeof TASK_STATES)[number];

/** Any state still doing its work may fail or be cancelled. */
const OR_END = ['failing', 'cancelling'] as const;

export const TRANSITIONS: Readonly<Record<TaskState, readonly TaskState[]>> = {
  accepted: ['quiescing', 'provisioning', ...OR_END],
  quiescing: ['awaiting-point', ...OR_END],
  'awaiting-point': ['provisioning', ...OR_END],
  provisioning: ['rehydrating', ...OR_END],
  rehydrating: ['finalizing', 'standby', ...OR_END],
  standby: ['rehydrating', 'finalizing', ...OR_END],
  finalizing: ['awaiting-approval', 'testing', 'awaiting-commit', 'cleaning', ...OR_END],
  'awaiting-approval': ['finalizing', ...OR_END],
  testing: ['cleaning', ...OR_END],
  'awaiting-commit': ['cleaning', 'rolling-back', ...OR_END],
  cleaning: ['completed'],
  failing: ['failed'],
  cancelling: ['cancelled'],
  'rolling-back': ['rolled-back'],
  completed: [],
  failed: [],
  cancelled: [],
  'rolled-back': [],
};

export const canMove = (from: TaskState, to: TaskState): boolean => TRANSITIONS[from].includes(to);

/** No move out. */
export const ENDED_STATES: readonly TaskState[] = TASK_STATES.filter((s) => TRANSITIONS[s].length === 0);
export const isEnded = (s: TaskState): boolean => ENDED_STATES.includes(s);

/** Still doing the work: can fail or be cancelled. */
export const ACTIVE_STATES: readonly TaskState[] = TASK_STATES.filter((s) => canMove(s, 'failing'));
export const isActive = (s: TaskState): boolean => ACTIVE_STATES.includes(s);

/** A cleaning state moves only to its ended state: the outcome is decided while the temporaries go. */
export const OUTCOME_OF: Partial<Record<TaskState, TaskState>> = Object.fromEntries(
  TASK_STATES.filter((s) => TRANSITIONS[s].length === 1 && isEnded(TRANSITIONS[s][0])).map((s) => [s, TRANSITIONS[s][0]]),
);

/** A move the table does not allow: a bug in the flow, never a condition of the input. */
export class IllegalTransitionError extends Error {
  constructor(from: TaskState, to: TaskState) {
    super(`illegal task state move ${from} → ${to} (allowed from ${from}: ${TRANSITIONS[from].join(', ') || 'none'})`);
    this.name = 'IllegalTransitionError';
  }
}

export function assertMoves(from: readonly TaskState[], to: TaskState): void {
  for (const s of from) if (!canMove(s, to)) throw new IllegalTransitionError(s, to);
}

/** One line per state: `state → next | next` (the list of states in docs/architecture.md). */
export function describeTransitions(): string[] {
  return TASK_STATES.map((s) => `${s} → ${TRANSITIONS[s].length ? TRANSITIONS[s].join(' | ') : '(ended)'}`);
}
