import { CustomTransportStrategy, Server } from '@nestjs/microservices';
import type { ConsumeMessage } from 'amqplib';
import { isObservable, lastValueFrom } from 'rxjs';
import { CloudEvent, INTERNAL_KINDS, describeIssues, readableCommandId } from '@jss/contract';
import { AmqpBus } from './amqp-bus';
import { AmqpContext } from './amqp-context';
import { DeadLetter } from './dead-letter';
import { ServedQueue, handlerProblems } from './served-queue';

/**
 * Nest's microservice transport over our AMQP layer: @EventPattern(<routing key>) handlers found by
 * Nest's discovery, fed by AmqpBus consumers, so every guarantee of the bus holds — ack only after
 * the handler resolved (its effects stored, its publishes confirmed), a message that can never
 * succeed dead-lettered with x-jss-reason, others redelivered, topology re-declared on reconnect.
 * Internal messages are validated against the contract before a handler sees them.
 */
export class AmqpTransport extends Server implements CustomTransportStrategy {
  constructor(
    private readonly bus: AmqpBus,
    private readonly queues: readonly ServedQueue[],
  ) {
    super();
  }

  /** Refuses to start when a key has no handler or two (the error names them); then starts consuming. */
  async listen(callback: (err?: unknown) => void): Promise<void> {
    const problems = handlerProblems(this.queues, this.messageHandlers);
    if (problems.length) return callback(new Error(`message handlers do not match the contract: ${problems.join('; ')}`));
    try {
      for (const q of this.queues) {
        const unreadable = q.unreadable;
        await this.bus.consume(q.spec, (event, msg) => this.dispatch(q, event, msg), {
          prefetch: q.prefetch,
          ...(unreadable && { onUnreadable: (msg, why) => this.unreadable(unreadable, msg, why) }),
        });
      }
      callback();
    } catch (err) {
      callback(err);
    }
  }

  /** Stop taking messages and let the ones in hand finish (the connection closes with the app). */
  async close(): Promise<void> {
    await this.bus.drain();
  }

  on(): never {
    throw new Error('AmqpTransport has no events to listen to');
  }

  unwrap<T>(): T {
    return this.bus as T;
  }

  private async dispatch(q: ServedQueue, event: CloudEvent, msg: ConsumeMessage): Promise<void> {
    const key = msg.fields.routingKey;
    // only the keys of this queue: a key another queue of the service serves is not this one's
    const pattern = q.spec.keys.includes(key) ? key : q.fallback;
    const handler = pattern ? this.getHandlerByPattern(pattern) : null;
    if (!handler) throw new DeadLetter(`no handler for routing key ${key} on ${q.spec.name}`);
    let data = event.data;
    const kind = INTERNAL_KINDS.get(key);
    if (kind) {
      const parsed = kind.schema.safeParse(data);
      if (!parsed.success) throw new DeadLetter(`invalid ${key}: ${describeIssues(parsed.error)}`);
      data = parsed.data;
    }
    const { userId, contentType } = msg.properties as { userId?: string; contentType?: string };
    const out = await handler(data, new AmqpContext([event, key, { userId, contentType }]));
    await settled(out);
  }

  /** A body that is no CloudEvent, on a queue that answers those: its handler gets the raw message's id and why. */
  private async unreadable(pattern: string, msg: ConsumeMessage, reason: string): Promise<void> {
    const handler = this.getHandlerByPattern(pattern);
    if (handler)
      await settled(await handler({ commandId: readableCommandId(msg.content, msg.properties.messageId as string | undefined), reason }));
  }
}

/** Nest wraps a handler's result (and its errors, see PassErrorsThrough) in an Observable. */
async function settled(out: unknown): Promise<void> {
  if (isObservable(out)) await lastValueFrom(out, { defaultValue: undefined });
}
