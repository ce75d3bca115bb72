import { ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { waitUntil } from '@jss/testing';
import amqp, { AmqpConnectionManager, ChannelWrapper } from 'amqp-connection-manager';
import type { ConfirmChannel } from 'amqplib';
import { CloudEvent, EXCHANGES } from '@jss/contract';
import { generatedImage } from '@jss/replica';

/** A seeded PRNG (mulberry32): the same seed gives the same run of choices. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A private Redis with AOF (appendfsync everysec), restartable on the same port and folder. */
export class PrivateRedis {
  private child: ChildProcess | null = null;

  constructor(
    readonly port: number,
    private readonly dir: string,
  ) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const args = ['--port', String(this.port), '--bind', '127.0.0.1', '--appendonly', 'yes', '--appendfsync', 'everysec', '--save', ''];
    this.child = spawn('redis-server', [...args, '--dir', this.dir], { stdio: 'ignore' });
    const up = () =>
      new Promise<boolean>((resolve) => {
        const ping = spawn('redis-cli', ['-p', String(this.port), 'ping'], { stdio: ['ignore', 'pipe', 'ignore'] });
        let out = '';
        ping.stdout.on('data', (d) => (out += d));
        ping.on('exit', () => resolve(out.includes('PONG')));
      });
    await waitUntil(`redis-server started on port ${this.port}`, up, 10_000, 100);
  }

  /** SIGTERM: Redis fsyncs its AOF and exits, as on a restart by an operator or a supervisor. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill(signal);
    await exited;
  }
}

/** A durable observer queue on jss.events: no event is missed across a broker restart. */
export class EventObserver {
  readonly events: Array<{ key: string; event: CloudEvent<Record<string, unknown>> }> = [];
  private readonly connection: AmqpConnectionManager;
  private readonly channel: ChannelWrapper;

  constructor(url: string, onEvent: (key: string, event: CloudEvent<Record<string, unknown>>) => void) {
    this.connection = amqp.connect(url.split(','), { reconnectTimeInSeconds: 1, heartbeatIntervalInSeconds: 5 });
    this.channel = this.connection.createChannel({
      setup: async (ch: ConfirmChannel) => {
        await ch.assertExchange(EXCHANGES.events, 'topic', { durable: true });
        await ch.assertQueue('chaos.observer', { durable: true, arguments: { 'x-queue-type': 'quorum' } });
        await ch.bindQueue('chaos.observer', EXCHANGES.events, '#');
        await ch.prefetch(500);
        await ch.consume('chaos.observer', (msg) => {
          if (!msg) return;
          try {
            const event = JSON.parse(msg.content.toString('utf8')) as CloudEvent<Record<string, unknown>>;
            this.events.push({ key: msg.fields.routingKey, event });
            onEvent(msg.fields.routingKey, event);
          } finally {
            ch.ack(msg);
          }
        });
      },
    });
  }

  /** Resolves once the queue is bound: events from then on are all seen. */
  async ready(): Promise<void> {
    await this.channel.waitForConnect();
  }

  async close(): Promise<void> {
    await this.connection.close();
  }
}

/** sha256 of a generated disk image, as the replica writer produced it. */
export function generatedHash(sizeBytes: number, seed: number, vm: string): string {
  const h = createHash('sha256');
  for (const chunk of generatedImage(sizeBytes, seed, vm)) h.update(chunk);
  return h.digest('hex');
}

/** Resident set size of a process in bytes (Linux), 0 when it is gone. */
export function rssOf(pid: number | undefined): number {
  try {
    const line = readFileSync(`/proc/${pid}/status`, 'utf8')
      .split('\n')
      .find((l) => l.startsWith('VmRSS:'));
    return line ? Number(line.split(/\s+/)[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}
