import { Agent, request } from 'undici';
import { readInto } from './bodies';

/** A GET ready to send: the object's URL and the headers that authorise it (none for a SAS URL). */
export interface SignedGet {
  url: string;
  headers: Record<string, string>;
}

/**
 * Block reads without the SDKs' request pipelines. Per 1 MiB block the AWS SDK's GetObject spends
 * 2.8–5.2 CPU s per GiB on this machine kind, a signed undici request 1.0–2.0 (bench/README.md,
 * "Object stores"): on a reader's CPU that is most of a recovery's time. Only the happy path is
 * taken here: anything but a 200 (a missing key, throttling, a 5xx, a network error, a timeout) is
 * declined, and the store reads that block again through its SDK, whose retries, backoff and error
 * mapping stay the only ones. An authentication failure turns the fast path off for good, since
 * every later request would fail the same way.
 */
export class SignedGets {
  private readonly agent: Agent;
  private refused = false;

  constructor(sockets: number, timeoutMs: number) {
    this.agent = new Agent({
      connections: sockets,
      connectTimeout: Math.min(timeoutMs, 10_000),
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
    });
  }

  /** The object's size once read into `target` (see ObjectStore.getInto); undefined when declined. */
  async getInto(sign: () => Promise<SignedGet | undefined>, target: Uint8Array): Promise<number | undefined> {
    if (this.refused) return undefined;
    try {
      const get = await sign();
      if (!get) return undefined;
      const res = await request(get.url, { dispatcher: this.agent, headers: get.headers });
      if (res.statusCode !== 200) {
        if (res.statusCode === 400 || res.statusCode === 401 || res.statusCode === 403) this.refused = true;
        await res.body.dump();
        return undefined;
      }
      return await readInto(res.body, target);
    } catch {
      return undefined;
    }
  }

  /** Whether block reads still take this path (false after an authentication failure). */
  get open(): boolean {
    return !this.refused;
  }
}
