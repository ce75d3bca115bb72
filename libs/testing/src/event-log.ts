import { setTimeout as sleep } from 'node:timers/promises';
import { AmqpBus } from '@jss/bus';
import { CloudEvent, EXCHANGES } from '@jss/contract';

export interface Recorded {
  key: string;
  event: CloudEvent<Record<string, unknown>>;
  at: number;
}

/** Every event on jss.events of the test's vhost, in arrival order. */
export class EventLog {
  readonly all: Recorded[] = [];

  static async attach(bus: AmqpBus): Promise<EventLog> {
    const log = new EventLog();
    await bus.subscribe(EXCHANGES.events, ['#'], (event, key) =>
      log.all.push({ key, event: event as CloudEvent<Record<string, unknown>>, at: Date.now() }),
    );
    return log;
  }

  of(commandId: string, key?: string): Recorded[] {
    return this.all.filter((r) => r.event.data?.commandId === commandId && (!key || r.key === key));
  }

  /** Waits for the first event matching; fails with what was seen for that command. */
  async waitFor(commandId: string, keys: string[], timeoutMs = 90_000): Promise<Recorded> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const hit = this.of(commandId).find((r) => keys.includes(r.key));
      if (hit) return hit;
      await sleep(50);
    }
    const seen = this.of(commandId)
      .map((r) => r.key)
      .join(', ');
    throw new Error(`no ${keys.join('|')} for command ${commandId} within ${timeoutMs} ms; seen: ${seen || 'nothing'}`);
  }
}
