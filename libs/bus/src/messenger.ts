import { CloudEvent, EXCHANGES, EventDataMap, cloudEvent, eventType } from '@jss/contract';
import { AmqpBus } from './amqp-bus';

/** Who caused a message: carried from the command to every event and job of its task. */
export interface Cause {
  taskId: string;
  commandId: string;
  traceparent?: string;
}

/** Builds CloudEvents for the public events and the internal work, and publishes them confirmed. */
export class Messenger {
  constructor(
    private readonly bus: AmqpBus,
    private readonly source: string,
  ) {}

  /** `id`: fixed by what the event is about, so that one published again (a redelivered message's) is the same event. */
  async event<K extends keyof EventDataMap>(name: K, cause: Cause | null, data: EventDataMap[K], id?: string): Promise<void> {
    await this.bus.publish(EXCHANGES.events, name, this.build(eventType(name), cause, data, id));
  }

  async send<T extends { taskId: string; commandId: string }>(kind: { key: string }, data: T, traceparent?: string): Promise<void> {
    const cause = { taskId: data.taskId, commandId: data.commandId, traceparent };
    await this.bus.publish(EXCHANGES.internal, kind.key, this.build(`io.jss.internal.${kind.key}`, cause, data));
  }

  private build<T>(type: string, cause: Cause | null, data: T, id?: string): CloudEvent<T> {
    return cloudEvent({
      ...(id !== undefined && { id }),
      type,
      source: this.source,
      data,
      ...(cause && { subject: cause.taskId }),
      ...(cause?.traceparent && { traceparent: cause.traceparent }),
    });
  }
}
