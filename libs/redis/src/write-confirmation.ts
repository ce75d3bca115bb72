import type Redis from 'ioredis';
import { Logger, metrics } from '@jss/observability';

// Replication is asynchronous: a write the primary answered but no replica received is gone after
// a promotion. A guarded write (a task's move, a dedup record, a name, a fencing token, the
// simulated inventory) is therefore confirmed by WAIT before the caller goes on — before it
// acknowledges the message that caused it, before the effect the write guards.

/** A guarded write that too few replicas confirmed in time: the handler stops and the message is retried. */
export class UnconfirmedWriteError extends Error {
  constructor(what: string, acked: number, wanted: number) {
    super(`redis write not confirmed (${what}): ${acked} of ${wanted} replica(s)`);
    this.name = 'UnconfirmedWriteError';
  }
}

export interface ConfirmationPolicy {
  /** replicas that must have a write before it counts */
  acks: number;
  timeoutMs: number;
  log: Logger;
}

/**
 * The confirmation a client needs. WAIT counts the replicas that have every write made so far on
 * this connection, so after a reconnect (to a new primary) it says nothing of a write made before
 * it: a write that spans a reconnect is counted unconfirmed (the retry makes it again, harmlessly).
 */
class WriteConfirmation {
  private connection = 0;

  constructor(
    private readonly redis: Redis,
    private readonly policy: ConfirmationPolicy,
  ) {
    redis.on('close', () => this.connection++);
  }

  async run<T>(what: string, write: () => Promise<T>): Promise<T> {
    const connection = this.connection;
    const result = await write();
    const { acks, timeoutMs, log } = this.policy;
    const acked = await this.redis.wait(acks, timeoutMs);
    const confirmed = connection === this.connection ? acked : 0;
    if (confirmed < acks) {
      metrics.redisUnconfirmedWrites.inc();
      log.warn(
        { write: what, acked: confirmed, wanted: acks, reconnected: connection !== this.connection },
        'redis write not confirmed by replicas',
      );
      throw new UnconfirmedWriteError(what, confirmed, acks);
    }
    return result;
  }
}

const confirmations = new WeakMap<Redis, WriteConfirmation>();

/** Makes every guarded write of this client wait for `policy.acks` replicas. */
export function requireReplicaAcks(redis: Redis, policy: ConfirmationPolicy): void {
  confirmations.set(redis, new WriteConfirmation(redis, policy));
}

/**
 * Runs a guarded write and returns its result once enough replicas have it; throws
 * UnconfirmedWriteError otherwise. With no replicas expected (one Redis) it is just the write.
 */
export function confirmed<T>(redis: Redis, what: string, write: () => Promise<T>): Promise<T> {
  const confirmation = confirmations.get(redis);
  return confirmation ? confirmation.run(what, write) : write();
}
