import { BaseRpcContext } from '@nestjs/microservices';
import type { CloudEvent } from '@jss/contract';

/**
 * What an @EventPattern handler may know of the message besides its payload (@Payload(): the
 * CloudEvent's data, validated for internal messages): the envelope, the routing key and the
 * broker-validated user. Delivery details (redelivered, tags) stay in the transport.
 */
/** The AMQP properties a handler may read: who sent the message (broker-validated) and its encoding. */
export interface SenderProperties {
  userId?: string;
  contentType?: string;
}

export class AmqpContext extends BaseRpcContext<[CloudEvent, string, SenderProperties]> {
  get event(): CloudEvent {
    return this.args[0];
  }

  get traceparent(): string | undefined {
    return this.args[0].traceparent;
  }

  get routingKey(): string {
    return this.args[1];
  }

  /** user_id (RabbitMQ refuses one that is not the connection's user) and content type. */
  get properties(): SenderProperties {
    return this.args[2];
  }
}
