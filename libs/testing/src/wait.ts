import { setTimeout as sleep } from 'node:timers/promises';

/** Polls `check` until it returns true; fails naming `what` after `timeoutMs`. */
export async function waitUntil(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 60_000, everyMs = 50): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms: ${what}`);
    await sleep(everyMs);
  }
}

/** Resolves once a child process has exited; fails after `timeoutMs`. */
export function exited(child: { exitCode: number | null; signalCode: string | null }, timeoutMs = 60_000): Promise<void> {
  return waitUntil('the process exited', () => child.exitCode !== null || child.signalCode !== null, timeoutMs);
}
