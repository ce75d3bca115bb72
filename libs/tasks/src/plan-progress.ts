import type Redis from 'ioredis';

// Redis layout (under REDIS_PREFIX):
//   task:<id>:steps          hash stepId → JSON PlanStepProgress of each step of the task's plan reached
//   task:<id>:lease:<step>   held (PX) by the planner replica running a step's webhook or check

/** Where one step of a task's recovery plan is: kept in Redis, so that any planner replica goes on after a crash. */
export interface PlanStepProgress {
  status: 'running' | 'completed' | 'failed';
  startedAt: string;
  endedAt?: string;
  /** power-on: when the group's finalize work went out (after its delay) */
  sentAt?: string;
  timedOut?: boolean;
  /** failed, and the plan went on */
  continued?: boolean;
  reason?: string;
  message?: string;
}

/** Sets fields of a running step; 1 when this call changed it. ARGV[2] '1': only if `sentAt` is not set yet. */
const UPDATE = `
local raw = redis.call('HGET', KEYS[1], ARGV[1])
if not raw then return 0 end
local p = cjson.decode(raw)
if p.status ~= 'running' then return 0 end
if ARGV[2] == '1' and p.sentAt then return 0 end
for k, v in pairs(cjson.decode(ARGV[3])) do p[k] = v end
redis.call('HSET', KEYS[1], ARGV[1], cjson.encode(p))
redis.call('SET', KEYS[2], ARGV[4])
return 1`;

/** The progress of every task's plan: each step started once, ended once (compare-and-set), across replicas. */
export class PlanProgress {
  constructor(private readonly redis: Redis) {}

  async all(taskId: string): Promise<Record<string, PlanStepProgress>> {
    const raw = await this.redis.hgetall(`task:${taskId}:steps`);
    return Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, JSON.parse(v) as PlanStepProgress]));
  }

  /** Marks a step started; true only for the call that did. */
  async start(taskId: string, stepId: string, at = new Date().toISOString()): Promise<boolean> {
    const progress: PlanStepProgress = { status: 'running', startedAt: at };
    return (await this.redis.hsetnx(`task:${taskId}:steps`, stepId, JSON.stringify(progress))) === 1;
  }

  /** Ends a running step (completed or failed): its end time, only for the call that did (else null). Counts as the task's movement (watchdog). */
  async end(
    taskId: string,
    stepId: string,
    end: Pick<PlanStepProgress, 'status' | 'timedOut' | 'continued' | 'reason' | 'message'>,
  ): Promise<string | null> {
    const endedAt = new Date().toISOString();
    return (await this.update(taskId, stepId, { ...end, endedAt }, false)) ? endedAt : null;
  }

  /** A power-on's work goes out: true only for the call that set sentAt. */
  async markSent(taskId: string, stepId: string): Promise<boolean> {
    return this.update(taskId, stepId, { sentAt: new Date().toISOString() }, true);
  }

  /** A step waits within its own bound (a wait, a delay, a webhook or check running): the task is moving, for the watchdog. */
  async touch(taskId: string): Promise<void> {
    await this.redis.set(`task:${taskId}:moved`, String(Date.now()));
  }

  /** Holds a step for `ms` (a webhook or check running); true when this call got it. */
  async lease(taskId: string, stepId: string, ms: number): Promise<boolean> {
    return (await this.redis.set(`task:${taskId}:lease:${stepId}`, '1', 'PX', ms, 'NX')) === 'OK';
  }

  private async update(taskId: string, stepId: string, fields: Partial<PlanStepProgress>, onlyUnsent: boolean): Promise<boolean> {
    const keys = [`task:${taskId}:steps`, `task:${taskId}:moved`];
    const args = [stepId, onlyUnsent ? '1' : '0', JSON.stringify(fields), Date.now()];
    return (await this.redis.eval(UPDATE, keys.length, ...keys, ...args)) === 1;
  }
}
