import type { ConfirmChannel } from 'amqplib';
import type { CloudEvent } from '@jss/contract';
import { ConsumerHost, cloudEventOf, errorText } from './delivery';
import { declareExchanges } from './topology';

/**
 * Follows events without a durable queue (the CLI): a server-named exclusive queue that goes
 * away with the connection. Re-bound on reconnect; events published meanwhile are missed.
 */
export async function subscribeEvents(
  host: ConsumerHost,
  exchange: string,
  patterns: string[],
  onEvent: (event: CloudEvent, routingKey: string) => void,
): Promise<void> {
  const channel = host.consumerChannel({
    name: `subscribe ${exchange}`,
    confirm: false,
    setup: async (ch: ConfirmChannel) => {
      if (host.declares) await declareExchanges(ch);
      // classic even where the broker's default queue type is quorum (server-named queues cannot be)
      const { queue } = await ch.assertQueue('', { exclusive: true, autoDelete: true, arguments: { 'x-queue-type': 'classic' } });
      for (const p of patterns) await ch.bindQueue(queue, exchange, p);
      await ch.consume(
        queue,
        (msg) => {
          if (!msg) return;
          try {
            onEvent(cloudEventOf(msg), msg.fields.routingKey);
          } catch (err) {
            host.log.warn({ err: errorText(err) }, 'unreadable event ignored');
          }
        },
        { noAck: true },
      );
    },
  });
  await channel.waitForConnect();
}
