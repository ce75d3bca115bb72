import type Redis from 'ioredis';
import type { Prepared } from '@jss/contract';
import { confirmed } from '@jss/redis';
import { NameReservations } from './name-reservations';
import { PlanProgress, PlanStepProgress } from './plan-progress';
import { JobStats, SeedOutcome, Task } from './task';
import { Bookkeeping, TaskChange, applyBookkeeping, applyChange, encode } from './task-changes';
import { isActive } from './transitions';

// Redis layout (under REDIS_PREFIX):
//   task:<id>            hash: one field per Task property, each JSON-encoded
//   tasks:index          zset of task ids by creation time (listing)
//   tasks:live           set of ids not ended (sweeps, metrics)
//   cmd:<commandId>      id of the task a command created (deduplication; kept as long as the task)
//   name:<site>:<vm>, names:<id> the VM names a task holds (see name-reservations.ts)
//   task:<id>:done       set of finished range job ids
//   task:<id>:bytes      hash job id -> bytes done (in flight and finished)
//   task:<id>:stats      hash job id -> JobStats of finished jobs (report)
//   task:<id>:prepared   hash chunk index -> reply.prepared of that chunk of the task's VMs (checked)
//   task:<id>:seeds      hash VM -> SeedOutcome: a failback's temporary started from copies of its originals, or not
//   task:<id>:moved      when a job last reported (stall detection); task:<id>:stalled flag
//   task:<id>:outbox     hash slot (the state moved to, or a plan step's claim) -> messages a decision
//                        decided, until they are published (confirmed)
//   outbox:pending       zset of task ids with an outbox, by when it was written (re-sent when stale)

// cmd:<commandId> has no expiry, like the task record it points to: a command id is remembered
// (and a replay of it recognised) for as long as its task is.

/**
 * The record, its index entry and its live mark at once, unless the record has a state: a crash or a
 * re-sent command between separate writes would leave a record without state that is not live (its
 * names then look free to the next command).
 */
const CREATE = `
if redis.call('HEXISTS', KEYS[1], 'state') == 1 then return 0 end
for i = 3, #ARGV, 2 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[1])
redis.call('SADD', KEYS[3], ARGV[1])
return 1`;

/** Drops one state's outbox; the task leaves the pending set when it has none left. */
const CLEAR_OUTBOX = `
redis.call('HDEL', KEYS[1], ARGV[1])
local left = redis.call('HLEN', KEYS[1])
if left == 0 then redis.call('ZREM', KEYS[2], ARGV[2]) end
return left`;

/**
 * What the planner's deciders may read of the tasks, and nothing else: TaskStore in the planner,
 * a record in memory in the deciders' unit specs.
 */
export interface TaskReader {
  get(id: string): Promise<Task | null>;
  fields<K extends keyof Task>(id: string, ...keys: K[]): Promise<Pick<Task, K> | null>;
  doneCount(id: string): Promise<number>;
  jobBytes(id: string): Promise<Record<string, number>>;
  jobStats(id: string): Promise<Record<string, JobStats>>;
  /** the chunks of the task's temporaries that exist so far (reply.prepared each), in chunk order */
  preparedChunks(id: string): Promise<Prepared[]>;
  /** flagged stalled (task.stalled went out; the next bytes that move clear it) */
  isStalled(id: string): Promise<boolean>;
  /** whether a throttled message (e.g. progress) may go out now: none went out within its interval */
  throttleOpen(id: string, what: string): Promise<boolean>;
  planProgress(id: string): Promise<Record<string, PlanStepProgress>>;
}

/** What a worker may know of a task: whether it is still wanted. */
export abstract class TaskLiveness {
  abstract isActive(taskId: string): Promise<boolean>;
}

export class TaskStore implements TaskLiveness, TaskReader {
  /** the VM names each live task will create, held from acceptance to its end */
  readonly names: NameReservations;
  /** the progress of each task's recovery plan */
  readonly planSteps: PlanProgress;

  constructor(private readonly redis: Redis) {
    this.names = new NameReservations(redis);
    this.planSteps = new PlanProgress(redis);
  }

  /** The task a command id already created, if any. */
  async taskOfCommand(commandId: string): Promise<string | null> {
    return this.redis.get(`cmd:${commandId}`);
  }

  /**
   * The task a command id already created and who requested it; null when none, or when its record
   * was never written (a crash between the claim and the create: the command runs again and gets the
   * claimed id back from claimCommand).
   */
  async recordOfCommand(
    commandId: string,
  ): Promise<{ id: string; requestedBy?: string; domain: string; operation: Task['operation'] } | null> {
    const id = await this.taskOfCommand(commandId);
    const task = id ? await this.fields(id, 'state', 'requestedBy', 'domain', 'operation') : null;
    return id && task ? { id, requestedBy: task.requestedBy, domain: task.domain, operation: task.operation } : null;
  }

  /** Records the command → task mapping; returns the task id that won (an earlier one if any). */
  async claimCommand(commandId: string, taskId: string): Promise<string> {
    const set = await confirmed(this.redis, 'command id', () => this.redis.set(`cmd:${commandId}`, taskId, 'NX'));
    return set ? taskId : ((await this.taskOfCommand(commandId)) ?? taskId);
  }

  /** Creates the record unless it exists (a redelivered command), in one script (see CREATE). */
  async create(task: Task): Promise<void> {
    const keys = [`task:${task.id}`, 'tasks:index', 'tasks:live'];
    await confirmed(this.redis, 'task create', () =>
      this.redis.eval(CREATE, keys.length, ...keys, task.id, Date.parse(task.createdAt), ...encode(task)),
    );
  }

  async get(id: string): Promise<Task | null> {
    const raw = await this.redis.hgetall(`task:${id}`);
    if (!raw.state) return null;
    return Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, JSON.parse(v)])) as unknown as Task;
  }

  /** Sets fields without a state change (e.g. a cut-over request). */
  async patch(id: string, patch: Partial<Task>): Promise<void> {
    await confirmed(this.redis, 'task patch', () => this.redis.hset(`task:${id}`, ...encode(patch)));
  }

  /** Some fields only: the plan of a large task is big, and most steps need just its state. */
  async fields<K extends keyof Task>(id: string, ...keys: K[]): Promise<Pick<Task, K> | null> {
    const values = await this.redis.hmget(`task:${id}`, ...keys);
    if (values.every((v) => v === null)) return null;
    return Object.fromEntries(keys.map((k, i) => [k, values[i] === null ? undefined : JSON.parse(values[i]!)])) as Pick<Task, K>;
  }

  /** Newest first. */
  async list(limit = 100): Promise<Task[]> {
    const ids = await this.redis.zrevrange('tasks:index', 0, limit - 1);
    const tasks = await Promise.all(ids.map((id) => this.get(id)));
    return tasks.filter((t): t is Task => t !== null);
  }

  async liveIds(): Promise<string[]> {
    return this.redis.smembers('tasks:live');
  }

  /**
   * A decision's compare-and-set (the state move and/or the claim of a plan step, with the
   * messages kept in the outbox until clearOutbox) in one script: true when this call made it.
   * A move the state table does not allow throws.
   */
  apply(id: string, change: TaskChange): Promise<boolean> {
    return applyChange(this.redis, id, change);
  }

  /** A decision's bookkeeping (task-changes.ts). */
  record(id: string, items: readonly Bookkeeping[]): Promise<void> {
    return applyBookkeeping(this.redis, id, items);
  }

  /** The messages of a move (or claim: its outbox slot) are published: forget them. */
  async clearOutbox(id: string, slot: string): Promise<void> {
    await this.redis.eval(CLEAR_OUTBOX, 2, `task:${id}:outbox`, 'outbox:pending', slot, id);
  }

  /** Tasks whose outbox was written before `before` (ms): a crash may have lost their publishes. */
  async staleOutboxes(before: number): Promise<Array<{ taskId: string; slot: string; messages: unknown[] }>> {
    const ids = await this.redis.zrangebyscore('outbox:pending', 0, before);
    const boxes = await Promise.all(ids.map(async (taskId) => ({ taskId, box: await this.redis.hgetall(`task:${taskId}:outbox`) })));
    return boxes.flatMap(({ taskId, box }) =>
      Object.entries(box).map(([slot, raw]) => ({ taskId, slot, messages: JSON.parse(raw) as unknown[] })),
    );
  }

  /** Whether a worker should still act for a task (the narrow view workers get: TaskLiveness). */
  async isActive(taskId: string): Promise<boolean> {
    const task = await this.fields(taskId, 'state');
    return task !== null && isActive(task.state);
  }

  /** When the task's bytes last moved (ms since epoch), or null before the first report. */
  async lastMoved(id: string): Promise<number | null> {
    const v = await this.redis.get(`task:${id}:moved`);
    return v === null ? null : Number(v);
  }

  /** Flags the task stalled; true only for the call that set the flag (one task.stalled per stall). */
  async markStalled(id: string): Promise<boolean> {
    return (await this.redis.set(`task:${id}:stalled`, '1', 'NX')) === 'OK';
  }

  async isStalled(id: string): Promise<boolean> {
    return (await this.redis.exists(`task:${id}:stalled`)) === 1;
  }

  async jobStats(id: string): Promise<Record<string, JobStats>> {
    const raw = await this.redis.hgetall(`task:${id}:stats`);
    return Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, JSON.parse(v) as JobStats]));
  }

  async preparedChunks(id: string): Promise<Prepared[]> {
    const raw = await this.redis.hgetall(`task:${id}:prepared`);
    return Object.values(raw)
      .map((v) => JSON.parse(v) as Prepared)
      .sort((a, b) => a.chunk.index - b.chunk.index);
  }

  async doneCount(id: string): Promise<number> {
    return this.redis.scard(`task:${id}:done`);
  }

  async doneJobs(id: string): Promise<string[]> {
    return this.redis.smembers(`task:${id}:done`);
  }

  async jobBytes(id: string): Promise<Record<string, number>> {
    const raw = await this.redis.hgetall(`task:${id}:bytes`);
    return Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, Number(v)]));
  }

  /** What seeding a failback's temporary from its original disks gave, once decided (null before). */
  async seedOutcome(id: string, vm: string): Promise<SeedOutcome | null> {
    const raw = await this.redis.hget(`task:${id}:seeds`, vm);
    return raw ? (JSON.parse(raw) as SeedOutcome) : null;
  }

  async recordSeed(id: string, vm: string, outcome: SeedOutcome): Promise<void> {
    await confirmed(this.redis, 'seed outcome', () => this.redis.hset(`task:${id}:seeds`, vm, JSON.stringify(outcome)));
  }

  async throttleOpen(id: string, what: string): Promise<boolean> {
    return (await this.redis.exists(`throttle:${what}:${id}`)) === 0;
  }

  async planProgress(id: string): Promise<Record<string, PlanStepProgress>> {
    return this.planSteps.all(id);
  }

  /** True at most once per interval per task, across planner replicas (progress throttling). */
  async throttle(id: string, what: string, intervalMs: number): Promise<boolean> {
    return (await this.redis.set(`throttle:${what}:${id}`, '1', 'PX', intervalMs, 'NX')) === 'OK';
  }
}
