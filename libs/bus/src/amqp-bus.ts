import amqp, { AmqpConnectionManager, ChannelWrapper, CreateChannelOpts } from 'amqp-connection-manager';
import type { ConfirmChannel, ConsumeMessage } from 'amqplib';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  CLOUDEVENTS_CONTENT_TYPE,
  CloudEvent,
  DEAD_LETTER_REASON_HEADER,
  EXCHANGES,
  QUEUES,
  TIMING,
  cloudEventSchema,
} from '@jss/contract';
import { Logger, metrics } from '@jss/observability';
import { DeadLetter } from './dead-letter';
import type { MessageHeaders } from './dead-letter-reason';
import { QueueSpec, declareExchanges, declareQueue } from './topology';

export type Handler = (event: CloudEvent, message: ConsumeMessage) => Promise<void>;

export interface ConsumeOptions {
  prefetch: number;
  /** a body that is not a CloudEvent: called (e.g. to answer it) before the message is dead-lettered */
  onUnreadable?: (message: ConsumeMessage, reason: string) => Promise<void>;
}

export interface PublishOptions {
  /** AMQP user_id: the broker refuses one that is not the connection's user, so a command's sender is known */
  userId?: string;
}

export interface BusOptions {
  /**
   * services: declares the whole topology (needs configure rights on jss.*); client (the CLI, a
   * publisher user): declares nothing, the services' exchanges are expected to exist.
   */
  topology?: 'services' | 'client';
  /** how long drain() waits for the messages in hand (default 20 s) */
  graceMs?: number;
}

/**
 * The one class that talks AMQP. Publishes are persistent and resolve on the broker's confirm;
 * consumers ack only after their handler resolved (its effects stored), so a crash redelivers.
 * Topology is re-declared on every reconnect by each channel's setup.
 */
export class AmqpBus {
  private readonly connection: AmqpConnectionManager;
  private readonly publisher: ChannelWrapper;
  private readonly consumers: ChannelWrapper[] = [];
  private inFlight = 0;
  private closing = false;
  private readonly stop = new AbortController();

  /** The broker user of the connection (from the first URL; amqp's default is guest). */
  readonly user: string;
  private readonly declares: boolean;
  /** how long drain() waits for the messages in hand before it gives up (they go back to their queues) */
  private readonly graceMs: number;

  /** @param url one broker, or several separated by commas (the nodes of a cluster; tried in turn) */
  constructor(
    url: string,
    private readonly log: Logger,
    options: BusOptions = {},
  ) {
    const urls = url
      .split(',')
      .map((u) => u.trim())
      .filter(Boolean);
    this.user = decodeURIComponent(new URL(urls[0]).username) || 'guest';
    this.declares = options.topology !== 'client';
    this.graceMs = options.graceMs ?? 20_000;
    this.connection = amqp.connect(urls, { heartbeatIntervalInSeconds: 5, reconnectTimeInSeconds: 1 });
    this.connection.on('connect', () => log.info('amqp connected'));
    this.connection.on('disconnect', ({ err }) => log.warn({ err: err?.message }, 'amqp disconnected'));
    const setup = this.declares ? declareExchanges : async () => undefined;
    this.publisher = this.channel({ name: 'publish', confirm: true, setup });
  }

  /**
   * A managed channel. It reports a failed setup (the broker went away mid-setup, or refused a
   * declaration) as an 'error' event, thrown when no one listens; the channel sets itself up again
   * on the next connect, so the error is logged, not fatal.
   */
  private channel(options: CreateChannelOpts): ChannelWrapper {
    const channel = this.connection.createChannel(options);
    channel.on('error', (err: unknown) =>
      this.log.warn({ err: errorText(err), channel: options.name }, 'amqp channel setup failed; retried on reconnect'),
    );
    return channel;
  }

  /** Aborted when close() starts: a long handler cuts its work short and throws, and its message goes back at once. */
  get stopping(): AbortSignal {
    return this.stop.signal;
  }

  /** Connected, channels set up. */
  isReady(): boolean {
    return this.connection.isConnected() && [this.publisher, ...this.consumers].every((c) => this.channelUp(c));
  }

  async waitForConnect(): Promise<void> {
    await this.publisher.waitForConnect();
  }

  /**
   * A queue's depth and consumers (a passive check, on a channel of its own since a missing queue
   * closes the channel); null when the queue does not exist.
   */
  async checkQueue(queue: string): Promise<{ messageCount: number; consumerCount: number } | null> {
    const connection = this.connection.connection;
    if (!connection) throw new Error('not connected to RabbitMQ');
    const channel = await connection.createChannel();
    channel.on('error', () => undefined); // the 404 below arrives as a channel error too
    try {
      const { messageCount, consumerCount } = await channel.checkQueue(queue);
      await channel.close();
      return { messageCount, consumerCount };
    } catch (err) {
      if ((err as { code?: number }).code === 404) return null;
      throw err;
    }
  }

  async publish(exchange: string, routingKey: string, event: CloudEvent, options: PublishOptions = {}): Promise<void> {
    await this.publisher.publish(exchange, routingKey, Buffer.from(JSON.stringify(event)), {
      ...(options.userId !== undefined && { userId: options.userId }),
      persistent: true,
      contentType: CLOUDEVENTS_CONTENT_TYPE,
      messageId: event.id,
      type: event.type,
    });
  }

  async consume(spec: QueueSpec, handler: Handler, options: ConsumeOptions): Promise<void> {
    const channel = this.channel({
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
    this.consumers.push(channel);
    await channel.consume(spec.name, (msg) => void this.handle(currentChannel(channel), spec.name, msg, handler, options));
  }

  /**
   * jss.dead-letters: each message goes to `settle` (with its CloudEvent, or null when it is not one),
   * which returns the reason it is marked with; then it is moved (confirmed) to the parking queue
   * jss.dead-letters.parked with that reason in x-jss-reason, where it stays for an operator.
   */
  async consumeDeadLetters(settle: (event: CloudEvent | null, headers: MessageHeaders) => Promise<string>): Promise<void> {
    const setup = async (ch: ConfirmChannel) => {
      await declareExchanges(ch);
      await ch.prefetch(4); // in the setup: see consume()
    };
    const channel = this.channel({ name: QUEUES.deadLetters, confirm: true, setup });
    this.consumers.push(channel);
    const park = async (msg: ConsumeMessage, on: DeliveryChannel) => {
      this.inFlight++;
      try {
        const headers = msg.properties.headers ?? {};
        let event: CloudEvent | null = null;
        try {
          event = this.parse(msg);
        } catch {
          // not a CloudEvent: nothing to settle, parked as it is
        }
        const reason = await settle(event, headers);
        await this.publisher.sendToQueue(QUEUES.parkedDeadLetters, msg.content, {
          ...msg.properties,
          persistent: true,
          headers: { ...headers, [DEAD_LETTER_REASON_HEADER]: reason, 'x-jss-routing-key': msg.fields.routingKey },
        });
        this.settle(on, msg, 'ack');
      } catch (err) {
        this.log.error({ err: errorText(err) }, 'dead letter not parked; it will be redelivered');
        if (!this.closing) await sleep(TIMING.message.retryDelayMs);
        this.settle(on, msg, 'requeue');
      } finally {
        this.inFlight--;
      }
    };
    await channel.consume(QUEUES.deadLetters, (msg) => void park(msg, currentChannel(channel)));
  }

  /**
   * Follows events without a durable queue (the CLI): a server-named exclusive queue that goes
   * away with the connection. Re-bound on reconnect; events published meanwhile are missed.
   */
  async subscribe(exchange: string, patterns: string[], onEvent: (event: CloudEvent, routingKey: string) => void): Promise<void> {
    const channel = this.channel({
      name: `subscribe ${exchange}`,
      confirm: false,
      setup: async (ch: ConfirmChannel) => {
        if (this.declares) await declareExchanges(ch);
        // classic even where the broker's default queue type is quorum (server-named queues cannot be)
        const { queue } = await ch.assertQueue('', { exclusive: true, autoDelete: true, arguments: { 'x-queue-type': 'classic' } });
        for (const p of patterns) await ch.bindQueue(queue, exchange, p);
        await ch.consume(
          queue,
          (msg) => {
            if (!msg) return;
            try {
              onEvent(this.parse(msg), msg.fields.routingKey);
            } catch (err) {
              this.log.warn({ err: errorText(err) }, 'unreadable event ignored');
            }
          },
          { noAck: true },
        );
      },
    });
    this.consumers.push(channel);
    await channel.waitForConnect();
  }

  /**
   * Graceful shutdown: stop taking messages, tell long handlers to hand their work back (stopping),
   * let the messages in hand finish or go back to their queues (nack, requeue) for up to graceMs.
   */
  async drain(): Promise<void> {
    this.closing = true;
    await Promise.all(this.consumers.map((c) => c.cancelAll().catch(() => undefined)));
    this.stop.abort();
    const deadline = Date.now() + this.graceMs;
    while (this.inFlight > 0 && Date.now() < deadline) await sleep(50);
    if (this.inFlight > 0) this.log.warn({ inFlight: this.inFlight }, 'shutdown grace over; unfinished messages go back to their queues');
  }

  /** Drain, then close the channels and the connection (what is still unacked goes back to its queue). */
  async close(): Promise<void> {
    await this.drain();
    await Promise.all([...this.consumers, this.publisher].map((c) => c.close().catch(() => undefined)));
    await this.connection.close();
  }

  private async handle(on: DeliveryChannel, queue: string, msg: ConsumeMessage, handler: Handler, options: ConsumeOptions) {
    this.inFlight++;
    try {
      const event = await this.parseOrAnswer(msg, options);
      await handler(event, msg);
      this.settle(on, msg, 'ack');
      metrics.messages.inc({ queue, outcome: 'ack' });
    } catch (err) {
      if (err instanceof DeadLetter) {
        await this.deadLetter(on, queue, msg, err.reason);
      } else {
        const where = { err: errorText(err), queue, routingKey: msg.fields.routingKey };
        if (this.closing) this.log.info(where, 'shutting down; message handed back to its queue');
        else this.log.error(where, 'handler failed; message will be redelivered');
        metrics.messages.inc({ queue, outcome: 'retry' });
        if (!this.closing) await sleep(TIMING.message.retryDelayMs);
        this.settle(on, msg, 'requeue');
      }
    } finally {
      this.inFlight--;
    }
  }

  private async parseOrAnswer(msg: ConsumeMessage, options: ConsumeOptions): Promise<CloudEvent> {
    try {
      return this.parse(msg);
    } catch (err) {
      if (err instanceof DeadLetter && options.onUnreadable) await options.onUnreadable(msg, err.reason);
      throw err;
    }
  }

  private parse(msg: ConsumeMessage): CloudEvent {
    let body: unknown;
    try {
      body = JSON.parse(msg.content.toString('utf8'));
    } catch {
      throw new DeadLetter('body is not JSON');
    }
    const parsed = cloudEventSchema.safeParse(body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new DeadLetter(
        `body is not a CloudEvents 1.0 event: ${issue ? `${issue.path.join('.')}: ${issue.message}`.slice(0, 200) : ''}`,
      );
    }
    return parsed.data as CloudEvent;
  }

  /** Republish to jss.dlx with the reason in a header (confirmed), then ack the original. */
  private async deadLetter(on: DeliveryChannel, queue: string, msg: ConsumeMessage, reason: string) {
    this.log.warn({ queue, routingKey: msg.fields.routingKey, reason }, 'message dead-lettered');
    await this.publisher.publish(EXCHANGES.deadLetter, msg.fields.routingKey, msg.content, {
      ...msg.properties,
      persistent: true,
      headers: { ...msg.properties.headers, [DEAD_LETTER_REASON_HEADER]: reason, 'x-jss-queue': queue },
    });
    this.settle(on, msg, 'ack');
    metrics.messages.inc({ queue, outcome: 'dead-letter' });
  }

  /**
   * Acks (or requeues) a message on the channel it was delivered on. ChannelWrapper.ack uses
   * whichever channel is current: a delivery tag from before a reconnect would close the new channel
   * (406 unknown delivery tag), or ack another message that got the same tag. The old channel is
   * closed then, and the broker has put the message back already: it is redelivered.
   */
  private settle(on: DeliveryChannel, msg: ConsumeMessage, how: 'ack' | 'requeue'): void {
    try {
      if (!on) throw new Error('no channel');
      if (how === 'ack') on.ack(msg);
      else on.nack(msg, false, true);
    } catch (err) {
      this.log.warn(
        { err: errorText(err), routingKey: msg.fields.routingKey, messageId: msg.properties.messageId },
        'message settled after its channel closed; the broker redelivers it',
      );
    }
  }

  private channelUp(c: ChannelWrapper): boolean {
    return currentChannel(c) != null;
  }
}

/** The amqplib channel a message came on (undefined between a disconnect and the next setup). */
type DeliveryChannel = ConfirmChannel | undefined;

/**
 * The wrapper's current amqplib channel (its own `_channel`; amqp-connection-manager exposes no
 * other way). Read when a message arrives, it is the one the message came on.
 */
function currentChannel(c: ChannelWrapper): DeliveryChannel {
  return (c as unknown as { _channel?: ConfirmChannel })._channel;
}

export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
