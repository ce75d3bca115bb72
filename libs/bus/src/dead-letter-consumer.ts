import type { ConfirmChannel, ConsumeMessage } from 'amqplib';
import { setTimeout as sleep } from 'node:timers/promises';
import { CloudEvent, DEAD_LETTER_REASON_HEADER, EXCHANGES, QUEUES, TIMING } from '@jss/contract';
import { MessageHeaders, republishedProperties } from './dead-letter-reason';
import { ConsumerHost, DeliveryChannel, cloudEventOf, currentChannel, errorText, settle } from './delivery';
import { declareExchanges } from './topology';

/**
 * jss.dead-letters: each message goes to `settleOne` (with its CloudEvent, or null when it is not
 * one), which returns the reason it is marked with; then it is moved (confirmed) to the parking
 * queue jss.dead-letters.parked (through jss.parked) with that reason in x-jss-reason, where it stays for an operator.
 */
export async function consumeDeadLetters(
  host: ConsumerHost,
  settleOne: (event: CloudEvent | null, headers: MessageHeaders) => Promise<string>,
): Promise<void> {
  const setup = async (ch: ConfirmChannel) => {
    await declareExchanges(ch);
    await ch.prefetch(4); // in the setup: see consumeQueue()
  };
  const channel = host.consumerChannel({ name: QUEUES.deadLetters, confirm: true, setup });
  const park = async (msg: ConsumeMessage, on: DeliveryChannel) => {
    try {
      const headers = msg.properties.headers ?? {};
      let event: CloudEvent | null = null;
      try {
        event = cloudEventOf(msg);
      } catch {
        // not a CloudEvent: nothing to settle, parked as it is
      }
      const reason = await settleOne(event, headers);
      await host.publisher.publish(
        EXCHANGES.parked,
        msg.fields.routingKey,
        msg.content,
        republishedProperties(msg.properties, { [DEAD_LETTER_REASON_HEADER]: reason, 'x-jss-routing-key': msg.fields.routingKey }),
      );
      settle(host.log, on, msg, 'ack');
    } catch (err) {
      host.log.error({ err: errorText(err) }, 'dead letter not parked; it will be redelivered');
      if (!host.isClosing()) await sleep(TIMING.message.retryDelayMs);
      settle(host.log, on, msg, 'requeue');
    }
  };
  await channel.consume(QUEUES.deadLetters, (msg) => void host.inHand(() => park(msg, currentChannel(channel))));
}
