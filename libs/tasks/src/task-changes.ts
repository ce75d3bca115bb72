import type Redis from 'ioredis';
import { Prepared, exhaustive } from '@jss/contract';
import { confirmed } from '@jss/redis';
import { releaseNamesLua } from './name-reservations';
import type { PlanStepProgress } from './plan-progress';
import type { JobStats, Task } from './task';
import { TaskState, assertMoves, isEnded } from './transitions';

// The writes of the planner's decisions (libs/recovery/src/flow): a decider only reads and says
// what to write; TaskFlow has the store make it. Every write is harmless when made again: ioredis
// re-sends a command whose reply a Redis restart cut off.

/** A state move: compare-and-set from one of `from` to `to`, with the fields it sets. */
export interface Move {
  from: readonly TaskState[];
  to: TaskState;
  patch?: Partial<Task>;
  /** a new round of range jobs: forget the last round's done set and bytes, in the same atomic move */
  resetJobs?: boolean;
}

/**
 * A compare-and-set on a step of the task's recovery plan — start it (`new`: only if it has no
 * progress yet), change it while it runs (`running`), or only before its power-on went out
 * (`unsent`) — or a lease (a step's work resent or run by one replica at a time).
 */
export type Claim =
  | { kind: 'step'; stepId: string; guard: 'new'; fields: PlanStepProgress }
  | { kind: 'step'; stepId: string; guard: 'running' | 'unsent'; fields: Partial<PlanStepProgress> }
  | { kind: 'lease'; stepId: string; ms: number };

/** Bookkeeping: a write made whatever the decision's compare-and-set finds, each harmless when made again. */
export type Bookkeeping =
  /** a range job's bytes (never lowered), its done mark, and its figures for the report */
  | { kind: 'job'; jobId: string; bytes: number; finished: boolean; stats?: JobStats }
  /** the task's bytes move again: its stall flag goes */
  | { kind: 'unstall' }
  /** a plan step waits within its own bound: the task is moving, for the watchdog */
  | { kind: 'touch' }
  /** one chunk of the task's temporaries exists (reply.prepared, checked): kept until all have come */
  | { kind: 'prepared'; reply: Prepared }
  | { kind: 'patch'; patch: Partial<Task> };

/** What one compare-and-set writes: the move and/or the claim, with the messages they decided (kept until published). */
export interface TaskChange {
  move?: Move;
  claim?: Claim;
  outbox?: { slot: string; messages: unknown[] };
}

/**
 * KEYS: 1 task, 2 its outbox, 3 outbox:pending, 4 done set, 5 job bytes, 6 tasks:live, 7 its name
 * holds, 8 its plan steps, 9 the lease, 10 its last movement. ARGV[1]: the change (JSON), ARGV[2]:
 * the outbox ('' none), ARGV[3]: now (ms), ARGV[4..]: the record's fields, name and JSON value.
 * Every guard is checked before anything is written (the lease, a write, last): 0 and nothing
 * written when one fails. A move to an ended state also leaves the live set and drops the name holds.
 */
const APPLY = `
local c = cjson.decode(ARGV[1])
if c.from then
  local state = redis.call('HGET', KEYS[1], 'state')
  if not state then return 0 end
  local allowed = false
  for _, s in ipairs(c.from) do if cjson.encode(s) == state then allowed = true end end
  if not allowed then return 0 end
end
local step
if c.step then
  local raw = redis.call('HGET', KEYS[8], c.step)
  if c.guard == 'new' then
    if raw then return 0 end
    step = c.fields
  else
    if not raw then return 0 end
    step = cjson.decode(raw)
    if step.status ~= 'running' or (c.guard == 'unsent' and step.sentAt) then return 0 end
    for k, v in pairs(c.fields) do step[k] = v end
  end
end
if c.leaseMs and not redis.call('SET', KEYS[9], '1', 'PX', c.leaseMs, 'NX') then return 0 end
for i = 4, #ARGV, 2 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
if c.reset then redis.call('DEL', KEYS[4], KEYS[5]) end
if step then
  redis.call('HSET', KEYS[8], c.step, cjson.encode(step))
  redis.call('SET', KEYS[10], ARGV[3])
end
if ARGV[2] ~= '' then
  redis.call('HSET', KEYS[2], c.slot, ARGV[2])
  redis.call('ZADD', KEYS[3], ARGV[3], c.id)
end
if c.ended then
  redis.call('SREM', KEYS[6], c.id)
  ${releaseNamesLua('KEYS[7]', 'c.id')}
end
return 1`;

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

/** Makes a task's change in one script: true when every guard held and it was written. A move the state table does not allow throws. */
export async function applyChange(redis: Redis, id: string, change: TaskChange): Promise<boolean> {
  const { move, claim, outbox } = change;
  if (move) assertMoves(move.from, move.to);
  const now = new Date();
  const fields = move
    ? encode({ ...move.patch, state: move.to, updatedAt: now.toISOString(), ...(isEnded(move.to) && { endedAt: now.toISOString() }) })
    : [];
  const lease = claim?.kind === 'lease' ? claim : null;
  const step = claim?.kind === 'step' ? claim : null;
  const spec = {
    id,
    ...(move && { from: move.from, reset: !!move.resetJobs, ended: isEnded(move.to) }),
    ...(step && { step: step.stepId, guard: step.guard, fields: step.fields }),
    ...(lease && { leaseMs: lease.ms }),
    ...(outbox && { slot: outbox.slot }),
  };
  const keys = [
    `task:${id}`,
    `task:${id}:outbox`,
    'outbox:pending',
    `task:${id}:done`,
    `task:${id}:bytes`,
    'tasks:live',
    `names:${id}`,
    `task:${id}:steps`,
    `task:${id}:lease:${lease?.stepId ?? ''}`,
    `task:${id}:moved`,
  ];
  const box = outbox?.messages.length ? JSON.stringify(outbox.messages) : '';
  const applied = () => redis.eval(APPLY, keys.length, ...keys, JSON.stringify(spec), box, now.getTime(), ...fields);
  return (await confirmed(redis, 'task change', applied)) === 1;
}

/** Makes a decision's bookkeeping, in order (a job's done mark lost to a failover would leave its task waiting). */
export async function applyBookkeeping(redis: Redis, id: string, items: readonly Bookkeeping[]): Promise<void> {
  await confirmed(redis, 'task bookkeeping', () => writeBookkeeping(redis, id, items));
}

async function writeBookkeeping(redis: Redis, id: string, items: readonly Bookkeeping[]): Promise<void> {
  for (const b of items) {
    switch (b.kind) {
      case 'job': {
        const keys = [`task:${id}:bytes`, `task:${id}:done`, `task:${id}:moved`];
        await redis.eval(RECORD_JOB, keys.length, ...keys, b.jobId, b.bytes, b.finished ? 1 : 0, Date.now());
        if (b.stats) await redis.hset(`task:${id}:stats`, b.jobId, JSON.stringify(b.stats));
        break;
      }
      case 'unstall':
        await redis.del(`task:${id}:stalled`);
        break;
      case 'touch':
        await redis.set(`task:${id}:moved`, String(Date.now()));
        break;
      case 'prepared':
        await redis.hset(`task:${id}:prepared`, String(b.reply.chunk.index), JSON.stringify(b.reply));
        break;
      case 'patch':
        await redis.hset(`task:${id}`, ...encode(b.patch));
        break;
      default:
        exhaustive(b);
    }
  }
}

/** A task's fields as the record holds them: each JSON-encoded. */
export function encode(patch: Partial<Task>): string[] {
  return Object.entries(patch)
    .filter(([, v]) => v !== undefined)
    .flatMap(([k, v]) => [k, JSON.stringify(v)]);
}
