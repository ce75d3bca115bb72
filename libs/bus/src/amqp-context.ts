import { BaseRpcContext } from '@nestjs/microservices';
import type { CloudEvent } from '@jss/contract';

/**
 * What an @EventPattern handler may know of the message besides its payload (@Payload(): the
 * CloudEvent's data, validated for internal messages): the envelope, the routing key and the
 * broker-validated user. Delivery details (redelivered, tags) stay in the transport.
 */
export class AmqpContext extends BaseRpcContext<[CloudEvent, string, string | undefined]> {
  get event(): CloudEvent {
    return this.args[0];
  }

  get traceparent(): string | undefined {
    return this.args[0].traceparent;
  }

  get routingKey(): string {
    return this.args[1];
  }

  /** The AMQP user_id property (RabbitMQ refuses one that is not the connection's user). */
  get userId(): string | undefined {
    return this.args[2];
  }
}
