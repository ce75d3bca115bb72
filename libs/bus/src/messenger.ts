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

  async event<K extends keyof EventDataMap>(name: K, cause: Cause | null, data: EventDataMap[K]): Promise<void> {
    await this.bus.publish(EXCHANGES.events, name, this.build(eventType(name), cause, data));
  }

  async send<T extends { taskId: string; commandId: string }>(kind: { key: string }, data: T, traceparent?: string): Promise<void> {
    const cause = { taskId: data.taskId, commandId: data.commandId, traceparent };
    await this.bus.publish(EXCHANGES.internal, kind.key, this.build(`io.jss.internal.${kind.key}`, cause, data));
  }

  private build<T>(type: string, cause: Cause | null, data: T): CloudEvent<T> {
    return cloudEvent({
      type,
      source: this.source,
      data,
      ...(cause && { subject: cause.taskId }),
      ...(cause?.traceparent && { traceparent: cause.traceparent }),
    });
  }
}
