import amqp, { AmqpConnectionManager, ChannelWrapper, CreateChannelOpts } from 'amqp-connection-manager';
import { setTimeout as sleep } from 'node:timers/promises';
import { CLOUDEVENTS_CONTENT_TYPE, CloudEvent } from '@jss/contract';
import { Logger } from '@jss/observability';
import { consumeDeadLetters } from './dead-letter-consumer';
import type { MessageHeaders } from './dead-letter-reason';
import { ConsumerHost, currentChannel, errorText } from './delivery';
import { subscribeEvents } from './event-subscription';
import { ConsumeOptions, Handler, consumeQueue } from './queue-consumer';
import { QueueSpec, declareExchanges } from './topology';

export type { ConsumeOptions, Handler } from './queue-consumer';
export { errorText } from './delivery';

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
  /** which handler errors say a store is away for now (the services pass isRedisOutage); default none */
  isOutage?: (err: unknown) => boolean;
}

/**
 * The one class that talks AMQP: the connection, the confirmed publisher, and the consumers — a
 * service's queues (queue-consumer.ts), the dead letters (dead-letter-consumer.ts), the CLI's
 * subscription (event-subscription.ts). Publishes are persistent and resolve on the broker's
 * confirm; consumers ack only after their handler resolved (its effects stored), so a crash
 * redelivers. Topology is re-declared on every reconnect by each channel's setup.
 */
export class AmqpBus {
  private readonly connection: AmqpConnectionManager;
  private readonly publisher: ChannelWrapper;
  private readonly consumers: ChannelWrapper[] = [];
  private inFlight = 0;
  private closing = false;
  private readonly stop = new AbortController();
  /** what the consumers get of the bus */
  private readonly host: ConsumerHost;

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
    this.host = {
      log,
      publisher: this.publisher,
      declares: this.declares,
      isClosing: () => this.closing,
      isOutage: options.isOutage ?? (() => false),
      consumerChannel: (opts) => {
        const channel = this.channel(opts);
        this.consumers.push(channel);
        return channel;
      },
      inHand: async (fn) => {
        this.inFlight++;
        try {
          return await fn();
        } finally {
          this.inFlight--;
        }
      },
    };
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

  /** A service's durable queue (queue-consumer.ts). */
  consume(spec: QueueSpec, handler: Handler, options: ConsumeOptions): Promise<void> {
    return consumeQueue(this.host, spec, handler, options);
  }

  /** jss.dead-letters, parked with the reason `settle` gives (dead-letter-consumer.ts). */
  consumeDeadLetters(settle: (event: CloudEvent | null, headers: MessageHeaders) => Promise<string>): Promise<void> {
    return consumeDeadLetters(this.host, settle);
  }

  /** Follows events without a durable queue, as the CLI does (event-subscription.ts). */
  subscribe(exchange: string, patterns: string[], onEvent: (event: CloudEvent, routingKey: string) => void): Promise<void> {
    return subscribeEvents(this.host, exchange, patterns, onEvent);
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

  private channelUp(c: ChannelWrapper): boolean {
    return currentChannel(c) != null;
  }
}
