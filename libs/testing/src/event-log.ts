import { setTimeout as sleep } from 'node:timers/promises';
import { AmqpBus } from '@jss/bus';
import { CloudEvent, EXCHANGES } from '@jss/contract';

export interface Recorded {
  key: string;
  event: CloudEvent<Record<string, unknown>>;
  at: number;
}

/** Every event on jss.events of the test's vhost (or on another exchange, by routing keys), in arrival order. */
export class EventLog {
  readonly all: Recorded[] = [];

  static async attach(bus: AmqpBus, exchange: string = EXCHANGES.events, patterns = ['#']): Promise<EventLog> {
    const log = new EventLog();
    await bus.subscribe(exchange, patterns, (event, key) =>
      log.all.push({ key, event: event as CloudEvent<Record<string, unknown>>, at: Date.now() }),
    );
    return log;
  }

  of(commandId: string, key?: string): Recorded[] {
    return this.all.filter((r) => r.event.data?.commandId === commandId && (!key || r.key === key));
  }

  /** Waits for the first event matching; fails with what was seen for that command. */
  waitFor(commandId: string, keys: string[], timeoutMs = 90_000): Promise<Recorded> {
    return this.waitForMatch(commandId, keys, () => true, timeoutMs);
  }

  /** Waits for the first event of the command with one of `keys` whose data is `which`; fails with what was seen. */
  async waitForMatch(
    commandId: string,
    keys: string[],
    which: (data: Record<string, unknown>) => boolean,
    timeoutMs = 90_000,
  ): Promise<Recorded> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const hit = this.of(commandId).find((r) => keys.includes(r.key) && which(r.event.data));
      if (hit) return hit;
      await sleep(50);
    }
    const seen = this.of(commandId)
      .map((r) => r.key)
      .join(', ');
    throw new Error(`no ${keys.join('|')} as awaited for command ${commandId} within ${timeoutMs} ms; seen: ${seen || 'nothing'}`);
  }

  /** Waits until the command's task has moved bytes (a task.progress past 0): its range jobs are under way. */
  waitForBytes(commandId: string, timeoutMs = 90_000): Promise<Recorded> {
    return this.waitForMatch(commandId, ['task.progress'], (d) => (d.bytesDone as number) > 0, timeoutMs);
  }
}
