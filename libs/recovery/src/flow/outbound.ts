import type { Cause } from '@jss/bus';
import type { EventDataMap, EventName, MessageKind } from '@jss/contract';
import type { Task } from '@jss/tasks';

/** A message a decider decided to publish: internal work (routing key on jss.internal) or a public event. */
export type Outbound = { work: string; data: { taskId: string; commandId: string } } | { event: EventName; data: unknown };

/** Typed by the message kind: the data must fit its schema's type. */
export const work = <T extends { taskId: string; commandId: string }>(kind: MessageKind<T>, data: NoInfer<T>): Outbound => ({
  work: kind.key,
  data,
});

export const event = <K extends EventName>(name: K, data: EventDataMap[K]): Outbound => ({ event: name, data });

export const causeOf = (t: Pick<Task, 'id' | 'commandId' | 'traceparent'>): Cause => ({
  taskId: t.id,
  commandId: t.commandId,
  traceparent: t.traceparent,
});

/** The task id and command id every message of a task carries. */
export const idsOf = (t: Pick<Task, 'id' | 'commandId'>) => ({ taskId: t.id, commandId: t.commandId });

export const secondsSince = (iso: string, now = Date.now()) => (now - Date.parse(iso)) / 1000;
