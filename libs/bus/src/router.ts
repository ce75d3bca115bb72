import type { ConsumeMessage } from 'amqplib';
import { CloudEvent, MessageKind, describeIssues } from '@jss/contract';
import type { Handler } from './amqp-bus';
import { DeadLetter } from './dead-letter';

export interface Route {
  key: string;
  handle(event: CloudEvent, msg: ConsumeMessage): Promise<void>;
}

/** Binds a message kind to a handler that gets its validated data. */
export function route<T>(kind: MessageKind<T>, fn: (data: T, event: CloudEvent, msg: ConsumeMessage) => Promise<void>): Route {
  return {
    key: kind.key,
    async handle(event, msg) {
      const parsed = kind.schema.safeParse(event.data);
      if (!parsed.success) throw new DeadLetter(`invalid ${kind.key}: ${describeIssues(parsed.error)}`);
      await fn(parsed.data, event, msg);
    },
  };
}

/** One consumer handler dispatching on the routing key; an unknown key is dead-lettered. */
export function router(routes: Route[]): Handler {
  const byKey = new Map(routes.map((r) => [r.key, r]));
  return async (event, msg) => {
    const r = byKey.get(msg.fields.routingKey);
    if (!r) throw new DeadLetter(`no handler for routing key ${msg.fields.routingKey}`);
    await r.handle(event, msg);
  };
}
