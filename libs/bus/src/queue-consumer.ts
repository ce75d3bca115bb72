import type { ConfirmChannel, ConsumeMessage } from 'amqplib';
import { setTimeout as sleep } from 'node:timers/promises';
import { CloudEvent, DEAD_LETTER_REASON_HEADER, EXCHANGES, TIMING } from '@jss/contract';
import { metrics } from '@jss/observability';
import { DeadLetter } from './dead-letter';
import { republishedProperties } from './dead-letter-reason';
import { ConsumerHost, DeliveryChannel, cloudEventOf, currentChannel, errorText, settle } from './delivery';
import { outlastOutage } from './outlast-outage';
import { QueueSpec, declareExchanges, declareQueue } from './topology';

export type Handler = (event: CloudEvent, message: ConsumeMessage) => Promise<void>;

export interface ConsumeOptions {
  prefetch: number;
  /** a body that is not a CloudEvent: called (e.g. to answer it) before the message is dead-lettered */
  onUnreadable?: (message: ConsumeMessage, reason: string) => Promise<void>;
}

/**
 * A service's durable queue: each message acked only after its handler resolved (its effects
 * stored, its publishes confirmed); a DeadLetter goes to jss.dlx with its reason; a failure because
 * a store is away (host.isOutage) is tried again in hand until it is back (outlastOutage); any other
 * failure goes back to the queue after a pause (the broker dead-letters it past the delivery limit).
 */
export async function consumeQueue(host: ConsumerHost, spec: QueueSpec, handler: Handler, options: ConsumeOptions): Promise<void> {
  const channel = host.consumerChannel({
    name: spec.name,
    confirm: true,
    setup: async (ch: ConfirmChannel) => {
      await declareExchanges(ch);
      await declareQueue(ch, spec);
      // here, not as consume()'s option: amqp-connection-manager 5.0.0 sends that basic.qos without
      // awaiting it, and a channel the server closes meanwhile rejects it unhandled, which ends the
      // process (a chaos run lost its janitor so); in the setup it is awaited, its failure the setup's
      await ch.prefetch(options.prefetch);
    },
  });
  await channel.consume(
    spec.name,
    (msg) => void host.inHand(() => handle(host, currentChannel(channel), spec.name, msg, handler, options)),
  );
}

async function handle(
  host: ConsumerHost,
  on: DeliveryChannel,
  queue: string,
  msg: ConsumeMessage,
  handler: Handler,
  options: ConsumeOptions,
) {
  try {
    const event = await parseOrAnswer(msg, options);
    await outlastOutage(() => handler(event, msg), {
      // stopping: back to the queue at once
      isOutage: (err) => host.isOutage(err) && !host.isClosing(),
      onOutage: (err, attempt) => {
        host.log.warn(
          { err: err.message, queue, routingKey: msg.fields.routingKey, attempt },
          'a store is away; the message is handled again once it is back',
        );
        metrics.messages.inc({ queue, outcome: 'outage' });
      },
    });
    settle(host.log, on, msg, 'ack');
    metrics.messages.inc({ queue, outcome: 'ack' });
  } catch (err) {
    if (err instanceof DeadLetter) return deadLetter(host, on, queue, msg, err.reason);
    const where = { err: errorText(err), queue, routingKey: msg.fields.routingKey };
    if (host.isClosing()) host.log.info(where, 'shutting down; message handed back to its queue');
    else host.log.error(where, 'handler failed; message will be redelivered');
    metrics.messages.inc({ queue, outcome: 'retry' });
    if (!host.isClosing()) await sleep(TIMING.message.retryDelayMs);
    settle(host.log, on, msg, 'requeue');
  }
}

async function parseOrAnswer(msg: ConsumeMessage, options: ConsumeOptions): Promise<CloudEvent> {
  try {
    return cloudEventOf(msg);
  } catch (err) {
    if (err instanceof DeadLetter && options.onUnreadable) await options.onUnreadable(msg, err.reason);
    throw err;
  }
}

/** Republish to jss.dlx with the reason in a header (confirmed), then ack the original. */
async function deadLetter(host: ConsumerHost, on: DeliveryChannel, queue: string, msg: ConsumeMessage, reason: string) {
  host.log.warn({ queue, routingKey: msg.fields.routingKey, reason }, 'message dead-lettered');
  await host.publisher.publish(
    EXCHANGES.deadLetter,
    msg.fields.routingKey,
    msg.content,
    republishedProperties(msg.properties, { [DEAD_LETTER_REASON_HEADER]: reason, 'x-jss-queue': queue }),
  );
  settle(host.log, on, msg, 'ack');
  metrics.messages.inc({ queue, outcome: 'dead-letter' });
}
