import type Redis from 'ioredis';
import { NameReservations, releaseNamesLua } from './name-reservations';
import { JobStats, SeedOutcome, Task } from './task';
import { TaskState, assertMoves, isActive, isEnded } from './transitions';
import { PlanProgress } from './plan-progress';

// Redis layout (under REDIS_PREFIX):
//   task:<id>            hash: one field per Task property, each JSON-encoded
//   tasks:index          zset of task ids by creation time (listing)
//   tasks:live           set of ids not ended (sweeps, metrics)
//   cmd:<commandId>      id of the task a command created (deduplication; kept as long as the task)
//   name:<site>:<vm>, names:<id> the VM names a task holds (see name-reservations.ts)
//   task:<id>:done       set of finished range job ids
//   task:<id>:bytes      hash job id -> bytes done (in flight and finished)
//   task:<id>:stats      hash job id -> JobStats of finished jobs (report)
//   task:<id>:seeds      hash VM -> SeedOutcome: a failback's temporary started from copies of its originals, or not
//   task:<id>:moved      when a job last reported (stall detection); task:<id>:stalled flag
//   task:<id>:outbox     hash state -> messages a move decided, until they are published (confirmed)
//   outbox:pending       zset of task ids with an outbox, by when it was written (re-sent when stale)

// cmd:<commandId> has no expiry, like the task record it points to: a command id is remembered
// (and a replay of it recognised) for as long as its task is.

/**
 * Moves state from one of `from` to `to` and writes the patch, atomically; 0 if state was elsewhere.
 * With an outbox (ARGV[2] not empty), the messages the move decided are kept with it until published;
 * resetJobs (ARGV[6]) starts a new round of range jobs (continuous failover): the last round's done
 * set and bytes go in the same move. A move to an ended state (ARGV[7]) also leaves the live set and
 * drops the task's name holds in the same script: ioredis re-sends a command whose reply a Redis
 * restart cut off, and a re-sent move returns 0, so nothing may hang on the caller seeing 1.
 */
const TRANSITION = `
local state = redis.call('HGET', KEYS[1], 'state')
if not state then return 0 end
local allowed = cjson.decode(ARGV[1])
for _, s in ipairs(allowed) do
  if cjson.encode(s) == state then
    for i = 8, #ARGV, 2 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
    if ARGV[6] == '1' then redis.call('DEL', KEYS[4], KEYS[5]) end
    if ARGV[2] ~= '' then
      redis.call('HSET', KEYS[2], ARGV[3], ARGV[2])
      redis.call('ZADD', KEYS[3], ARGV[4], ARGV[5])
    end
    if ARGV[7] == '1' then
      redis.call('SREM', KEYS[6], ARGV[5])
      ${releaseNamesLua('KEYS[7]', 'ARGV[5]')}
    end
    return 1
  end
end
return 0`;

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
 * A job's bytes never go down (a range redone after a crash restarts from 0; progress stays where
 * it was until the redo passes it), and any report counts as movement for stall detection.
 */
const RECORD_JOB = `
if ARGV[3] == '1' then redis.call('SADD', KEYS[2], ARGV[1])
elseif redis.call('SISMEMBER', KEYS[2], ARGV[1]) == 1 then return 0 end
local before = tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '0')
if tonumber(ARGV[2]) > before then redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]) end
redis.call('SET', KEYS[3], ARGV[4])
return 1`;

export interface MoveOptions {
  /** the messages the move decided, kept until clearOutbox (a crash cannot lose them) */
  outbox?: unknown[];
  /** forget the last round's done range jobs and bytes (a new round) */
  resetJobs?: boolean;
}

/** What a worker may know of a task: whether it is still wanted. */
export abstract class TaskLiveness {
  abstract isActive(taskId: string): Promise<boolean>;
}

export class TaskStore implements TaskLiveness {
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
  async recordOfCommand(commandId: string): Promise<{ id: string; requestedBy?: string } | null> {
    const id = await this.taskOfCommand(commandId);
    const task = id ? await this.fields(id, 'state', 'requestedBy') : null;
    return id && task ? { id, requestedBy: task.requestedBy } : null;
  }

  /** Records the command → task mapping; returns the task id that won (an earlier one if any). */
  async claimCommand(commandId: string, taskId: string): Promise<string> {
    const set = await this.redis.set(`cmd:${commandId}`, taskId, 'NX');
    return set ? taskId : ((await this.taskOfCommand(commandId)) ?? taskId);
  }

  /** Creates the record unless it exists (a redelivered command), in one script (see CREATE). */
  async create(task: Task): Promise<void> {
    await this.redis.eval(CREATE, 3, `task:${task.id}`, 'tasks:index', 'tasks:live', task.id, Date.parse(task.createdAt), ...encode(task));
  }

  async get(id: string): Promise<Task | null> {
    const raw = await this.redis.hgetall(`task:${id}`);
    if (!raw.state) return null;
    return Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, JSON.parse(v)])) as unknown as Task;
  }

  /** Sets fields without a state change (e.g. a cut-over request). */
  async patch(id: string, patch: Partial<Task>): Promise<void> {
    await this.redis.hset(`task:${id}`, ...encode(patch));
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
   * Compare-and-set of the state machine: true when this call made the move. A move the table does
   * not allow throws. `outbox`: what the move decided to publish, kept until clearOutbox.
   */
  async transition(
    id: string,
    from: readonly TaskState[],
    to: TaskState,
    patch: Partial<Task> = {},
    opts: MoveOptions = {},
  ): Promise<boolean> {
    assertMoves(from, to);
    const now = new Date();
    const fields = encode({ ...patch, state: to, updatedAt: now.toISOString(), ...(isEnded(to) && { endedAt: now.toISOString() }) });
    const keys = [`task:${id}`, `task:${id}:outbox`, 'outbox:pending', `task:${id}:done`, `task:${id}:bytes`, 'tasks:live', `names:${id}`];
    const box = opts.outbox?.length ? JSON.stringify(opts.outbox) : '';
    const args = [JSON.stringify(from), box, to, now.getTime(), id, opts.resetJobs ? 1 : 0, isEnded(to) ? 1 : 0, ...fields];
    return (await this.redis.eval(TRANSITION, keys.length, ...keys, ...args)) === 1;
  }

  /** The messages of a move are published: forget them. */
  async clearOutbox(id: string, state: TaskState): Promise<void> {
    await this.redis.eval(CLEAR_OUTBOX, 2, `task:${id}:outbox`, 'outbox:pending', state, id);
  }

  /** Tasks whose outbox was written before `before` (ms): a crash may have lost their publishes. */
  async staleOutboxes(before: number): Promise<Array<{ taskId: string; state: TaskState; messages: unknown[] }>> {
    const ids = await this.redis.zrangebyscore('outbox:pending', 0, before);
    const boxes = await Promise.all(ids.map(async (taskId) => ({ taskId, box: await this.redis.hgetall(`task:${taskId}:outbox`) })));
    return boxes.flatMap(({ taskId, box }) =>
      Object.entries(box).map(([state, raw]) => ({ taskId, state: state as TaskState, messages: JSON.parse(raw) as unknown[] })),
    );
  }

  /** Whether a worker should still act for a task (the narrow view workers get: TaskLiveness). */
  async isActive(taskId: string): Promise<boolean> {
    const task = await this.fields(taskId, 'state');
    return task !== null && isActive(task.state);
  }

  /** Records a job's bytes done; `finished` also marks it done. A late progress report never lowers a job. */
  async recordJob(id: string, jobId: string, bytes: number, finished: boolean): Promise<void> {
    const keys = [`task:${id}:bytes`, `task:${id}:done`, `task:${id}:moved`];
    await this.redis.eval(RECORD_JOB, keys.length, ...keys, jobId, bytes, finished ? 1 : 0, Date.now());
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

  /** Clears the stall flag; true when the task was flagged. */
  async clearStalled(id: string): Promise<boolean> {
    return (await this.redis.del(`task:${id}:stalled`)) === 1;
  }

  /** What a finished range job did (for the task's report). */
  async recordJobStats(id: string, jobId: string, stats: JobStats): Promise<void> {
    await this.redis.hset(`task:${id}:stats`, jobId, JSON.stringify(stats));
  }

  async jobStats(id: string): Promise<Record<string, JobStats>> {
    const raw = await this.redis.hgetall(`task:${id}:stats`);
    return Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, JSON.parse(v) as JobStats]));
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
    await this.redis.hset(`task:${id}:seeds`, vm, JSON.stringify(outcome));
  }

  /** True at most once per interval per task, across planner replicas (progress throttling). */
  async throttle(id: string, what: string, intervalMs: number): Promise<boolean> {
    return (await this.redis.set(`throttle:${what}:${id}`, '1', 'PX', intervalMs, 'NX')) === 'OK';
  }
}

function encode(patch: Partial<Task>): string[] {
  return Object.entries(patch)
    .filter(([, v]) => v !== undefined)
    .flatMap(([k, v]) => [k, JSON.stringify(v)]);
}
