import amqplib from 'amqplib';
import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { loadEnv } from '@jss/config';
import { cloudEvent } from '@jss/contract';
import { waitUntil } from '@jss/testing';
import { AmqpBus } from './amqp-bus';

describe('a channel whose setup fails', () => {
  it('is logged and leaves the bus up but unready (a setup error used to be thrown as an unhandled error event)', async () => {
    const url = loadEnv().AMQP_URL;
    const name = `jss.test.conflict.${randomUUID()}`;
    // a classic, auto-deleted queue of that name: the bus's quorum declaration of it is refused (406)
    const raw = await amqplib.connect(url);
    const rawChannel = await raw.createChannel();
    await rawChannel.assertQueue(name, { durable: false, autoDelete: false, arguments: { 'x-queue-type': 'classic' } });
    const lines: Array<{ msg: string; channel?: string; err?: string }> = [];
    const log = pino({ level: 'warn' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
    const bus = new AmqpBus(url, log);
    try {
      void bus.consume({ name, bindings: [], keys: [] }, async () => undefined, { prefetch: 1 });
      await waitUntil('the setup failure logged', () => lines.some((l) => l.channel === name), 10_000);
      expect(lines.find((l) => l.channel === name)).toMatchObject({
        msg: 'amqp channel setup failed; retried on reconnect',
        err: expect.stringMatching(/PRECONDITION_FAILED/),
      });
      expect(bus.isReady()).toBe(false);
    } finally {
      await bus.close();
      await rawChannel.deleteQueue(name);
      await raw.close();
    }
  });
});

describe('a message whose handler outlives its channel', () => {
  it('is settled on the channel it came on, not on the next one (where its delivery tag would close that channel)', async () => {
    const url = loadEnv().AMQP_URL;
    const name = `jss.test.stale.${randomUUID()}`;
    const lines: Array<{ msg: string }> = [];
    const log = pino({ level: 'warn' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
    const bus = new AmqpBus(url, log);
    const raw = await amqplib.connect(url);
    const rawChannel = await raw.createChannel();
    let release = () => undefined as void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const handled: string[] = [];
    let waiting = 0;
    try {
      // first deliveries wait for `released`; their redeliveries (after the connection drops) are done at once
      await bus.consume(
        { name, bindings: [], keys: [] },
        async (event, msg) => {
          if (!msg.fields.redelivered) {
            waiting++;
            await released;
          }
          handled.push(`${event.id}${msg.fields.redelivered ? ' again' : ''}`);
        },
        { prefetch: 2 },
      );
      const consumer = (bus as unknown as { consumers: Array<{ _channel?: object; waitForConnect(): Promise<void> }> }).consumers[0];
      await consumer.waitForConnect(); // the queue declared (consume() may resolve before the first connect)
      for (const id of ['m1', 'm2']) {
        rawChannel.sendToQueue(name, Buffer.from(JSON.stringify(cloudEvent({ id, type: 't', source: 'test', data: {} }))));
      }
      const first = consumer._channel;
      await waitUntil('both delivered, both waiting', () => waiting === 2, 15_000);
      // the network goes: the broker puts both back, the bus reconnects and they come again on a new channel
      (
        bus as unknown as { connection: { connection: { connection: { stream: { destroy(err: Error): void } } } } }
      ).connection.connection.connection.stream.destroy(new Error('test: the network went'));
      await waitUntil('both redelivered and handled', () => handled.length === 2, 15_000);
      expect(handled.sort()).toEqual(['m1 again', 'm2 again']);
      const second = consumer._channel;
      expect(second).toBeDefined();
      expect(second).not.toBe(first);
      release(); // the first deliveries end now, their channel long gone
      await waitUntil('the first deliveries ended too', () => handled.length === 4, 15_000);
      // one more message through: had a stale delivery tag closed the channel, it would come on another
      rawChannel.sendToQueue(name, Buffer.from(JSON.stringify(cloudEvent({ id: 'm3', type: 't', source: 'test', data: {} }))));
      await waitUntil('a later message handled', () => handled.includes('m3'), 15_000);
      expect(consumer._channel === second).toBe(true); // not closed by a stale delivery tag
      expect(lines.filter((l) => l.msg === 'message settled after its channel closed; the broker redelivers it')).toHaveLength(2);
      expect(await rawChannel.checkQueue(name)).toMatchObject({ messageCount: 0 });
    } finally {
      release();
      await bus.close();
      await rawChannel.deleteQueue(name);
      await raw.close();
    }
  });
});

describe('a handler that fails because a store is away', () => {
  it('runs again in hand until the store is back (no redelivery spent); any other failure sends the message back', async () => {
    const url = loadEnv().AMQP_URL;
    const name = `jss.test.outage.${randomUUID()}`;
    const lines: Array<{ msg: string; attempt?: number }> = [];
    const log = pino({ level: 'warn' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
    class Away extends Error {}
    const bus = new AmqpBus(url, log, { isOutage: (err) => err instanceof Away });
    const raw = await amqplib.connect(url);
    const rawChannel = await raw.createChannel();
    // m1: the store away for its first four runs; m2: a failure of its own, once
    const runs: Record<string, Array<{ redelivered: boolean; tag: number }>> = { m1: [], m2: [] };
    const done: string[] = [];
    try {
      await bus.consume(
        { name, bindings: [], keys: [] },
        async (event, msg) => {
          const mine = runs[event.id];
          mine.push({ redelivered: msg.fields.redelivered, tag: msg.fields.deliveryTag });
          if (event.id === 'm1' && mine.length <= 4) throw new Away('NOREPLICAS Not enough good replicas to write.');
          if (event.id === 'm2' && mine.length === 1) throw new Error('not a store outage');
          done.push(event.id);
        },
        { prefetch: 2 },
      );
      const consumer = (bus as unknown as { consumers: Array<{ waitForConnect(): Promise<void> }> }).consumers[0];
      await consumer.waitForConnect();
      for (const id of ['m1', 'm2']) {
        rawChannel.sendToQueue(name, Buffer.from(JSON.stringify(cloudEvent({ id, type: 't', source: 'test', data: {} }))));
      }
      await waitUntil('both handled', () => done.length === 2, 30_000);
      // m1: five runs of one delivery, never handed back to the broker
      expect(runs.m1).toHaveLength(5);
      expect(new Set(runs.m1.map((r) => r.tag)).size).toBe(1);
      expect(runs.m1.every((r) => !r.redelivered)).toBe(true);
      expect(lines.filter((l) => l.msg === 'a store is away; the message is handled again once it is back').map((l) => l.attempt)).toEqual([
        1, 2, 3, 4,
      ]);
      // m2: back to the queue and delivered again
      expect(runs.m2.map((r) => r.redelivered)).toEqual([false, true]);
    } finally {
      await bus.close();
      await rawChannel.deleteQueue(name);
      await raw.close();
    }
  });
});
