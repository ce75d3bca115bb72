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

/**
 * The progress of every task's plan: each step started once, ended once, across replicas (by the
 * claims of the flow's decisions, task-changes.ts).
 */
export class PlanProgress {
  constructor(private readonly redis: Redis) {}

  async all(taskId: string): Promise<Record<string, PlanStepProgress>> {
    const raw = await this.redis.hgetall(`task:${taskId}:steps`);
    return Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, JSON.parse(v) as PlanStepProgress]));
  }

  /** Holds a step for `ms` (a webhook or check running); true when this call got it. */
  async lease(taskId: string, stepId: string, ms: number): Promise<boolean> {
    return (await this.redis.set(`task:${taskId}:lease:${stepId}`, '1', 'PX', ms, 'NX')) === 'OK';
  }
}
