import amqplib from 'amqplib';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import pino from 'pino';
import { loadEnv } from '@jss/config';
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
      const deadline = Date.now() + 10_000;
      while (!lines.some((l) => l.channel === name) && Date.now() < deadline) await sleep(50);
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
