// The one set of limits: every schema that bounds a list or a string takes its bound from here
// (commands, recovery plans, internal work and replies), and the planner refuses at acceptance
// (`limit-exceeded`) what a command would only hit later, so that whatever is accepted can be
// carried out. Messages whose size would grow with a task's VMs are sent in chunks of
// `vmsPerMessage` (prepare, finalize and their replies), so none grows without bound.

export const LIMITS = {
  /** VMs one task recovers (and one command names), the whole domain at most */
  vmsPerTask: 10_000,
  /** VMs in one internal message: a task's prepare, finalize and their replies come in chunks of this many */
  vmsPerMessage: 1_000,
  /** VMs an event lists one by one (task.progress): past this, the VMs still moving, and counts */
  vmsPerEvent: 100,
  /** disks of one VM */
  disksPerVm: 64,
  /** a name the user gives (domain, VM, new name): vSphere's 80 less room for the temporaries' prefixes */
  userNameLength: 63,
  /** a platform name (site, cluster, datastore, network, temporary VM): vSphere's limit */
  placeNameLength: 80,
  /** a disk's path on a datastore */
  diskPathLength: 400,
  /** ids (task, command, job, point) */
  idLength: 200,
  /** a recovery plan document, in bytes */
  planBytes: 64 * 1024,
  /** groups of a recovery plan (and of a boot order) */
  planGroups: 100,
  /** steps before or after one group of a recovery plan */
  stepsPerPhase: 20,
  /** a message a person reads (an error, a step's message) */
  messageLength: 2000,
} as const;

export type LimitName = keyof typeof LIMITS;

/** Where a count passes its limit: the message of `limit-exceeded`, naming the limit and the value. */
export function limitMessage(limit: LimitName, value: number, what: string): string {
  return `${what}: ${value} exceeds the limit ${limit} = ${LIMITS[limit]}`;
}

/** Consecutive slices of at most `size` items (at least one slice, empty for an empty list). */
export function chunksOf<T>(items: readonly T[], size: number = LIMITS.vmsPerMessage): T[][] {
  if (items.length === 0) return [[]];
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
