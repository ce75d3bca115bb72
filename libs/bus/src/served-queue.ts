import type { MessageHandler } from '@nestjs/microservices';
import type { QueueSpec } from './topology';

/** A queue a service consumes: its spec (with the routing keys its handlers must cover) and its prefetch. */
export interface ServedQueue {
  spec: QueueSpec;
  prefetch: number;
  /** the handler pattern for a key bound to the queue without a handler of its own (e.g. an unknown command) */
  fallback?: string;
  /** the handler pattern told of a body that is no CloudEvent before it is dead-lettered (e.g. to answer a command) */
  unreadable?: string;
}

/**
 * The start-up check: every key of the served queues has exactly one handler, and no handler waits
 * for a key none of them receives. Returns one line per problem (empty when all is well).
 */
export function handlerProblems(queues: readonly ServedQueue[], handlers: ReadonlyMap<string, MessageHandler>): string[] {
  const expected = new Map<string, string>();
  for (const q of queues) for (const key of [...q.spec.keys, q.fallback, q.unreadable]) if (key) expected.set(key, q.spec.name);
  const problems: string[] = [];
  for (const [key, queue] of expected) {
    const handler = handlers.get(key);
    if (!handler) problems.push(`no handler for routing key ${key} (queue ${queue})`);
    else if (handler.next) problems.push(`more than one handler for routing key ${key} (queue ${queue})`);
  }
  for (const key of handlers.keys())
    if (!expected.has(key)) problems.push(`a handler for routing key ${key}, which no queue of this service receives`);
  return problems;
}
