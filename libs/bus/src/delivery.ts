import type { ChannelWrapper, CreateChannelOpts } from 'amqp-connection-manager';
import type { ConfirmChannel, ConsumeMessage } from 'amqplib';
import { CloudEvent, cloudEventSchema } from '@jss/contract';
import type { Logger } from '@jss/observability';
import { DeadLetter } from './dead-letter';

// What the bus's consumers (queue-consumer.ts, dead-letter-consumer.ts, event-subscription.ts)
// share: the bus's channels and publisher, and how a delivery is read and settled.

/** What a consumer gets of the bus (AmqpBus is one). */
export interface ConsumerHost {
  readonly log: Logger;
  /** the confirm channel every publish goes through */
  readonly publisher: ChannelWrapper;
  /** stopping: a failed message goes back to its queue at once */
  isClosing(): boolean;
  /** whether a handler's error says a store is away for now (its message is handled again in hand) */
  isOutage(err: unknown): boolean;
  /** whether this process declares the topology (services) or expects it (the CLI) */
  readonly declares: boolean;
  /** a managed channel that consumes (cancelled when the bus drains) */
  consumerChannel(options: CreateChannelOpts): ChannelWrapper;
  /** runs the handling of one message, counted as in hand until it settles (drain waits for those) */
  inHand<T>(fn: () => Promise<T>): Promise<T>;
}

/** The amqplib channel a message came on (undefined between a disconnect and the next setup). */
export type DeliveryChannel = ConfirmChannel | undefined;

/**
 * The wrapper's current amqplib channel (its own `_channel`; amqp-connection-manager exposes no
 * other way). Read when a message arrives, it is the one the message came on.
 */
export function currentChannel(c: ChannelWrapper): DeliveryChannel {
  return (c as unknown as { _channel?: ConfirmChannel })._channel;
}

/**
 * Acks (or requeues) a message on the channel it was delivered on. ChannelWrapper.ack uses
 * whichever channel is current: a delivery tag from before a reconnect would close the new channel
 * (406 unknown delivery tag), or ack another message that got the same tag. The old channel is
 * closed then, and the broker has put the message back already: it is redelivered.
 */
export function settle(log: Logger, on: DeliveryChannel, msg: ConsumeMessage, how: 'ack' | 'requeue'): void {
  try {
    if (!on) throw new Error('no channel');
    if (how === 'ack') on.ack(msg);
    else on.nack(msg, false, true);
  } catch (err) {
    log.warn(
      { err: errorText(err), routingKey: msg.fields.routingKey, messageId: msg.properties.messageId },
      'message settled after its channel closed; the broker redelivers it',
    );
  }
}

/** The CloudEvent a message carries; a DeadLetter (with why) when it carries none. */
export function cloudEventOf(msg: ConsumeMessage): CloudEvent {
  let body: unknown;
  try {
    body = JSON.parse(msg.content.toString('utf8'));
  } catch {
    throw new DeadLetter('body is not JSON');
  }
  const parsed = cloudEventSchema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new DeadLetter(`body is not a CloudEvents 1.0 event: ${issue ? `${issue.path.join('.')}: ${issue.message}`.slice(0, 200) : ''}`);
  }
  return parsed.data as CloudEvent;
}

export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
