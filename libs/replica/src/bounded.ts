import { AbortError } from './errors';

/**
 * Runs `work` on each item with at most `limit` in flight, in item order. On the first failure,
 * or when `signal` aborts, no further item is started; the in-flight ones are awaited (their
 * `stop` signal is aborted, so they can skip side effects) and the first error is thrown —
 * an AbortError for an abort.
 */
export async function forEachBounded<T>(
  items: Iterable<T> | AsyncIterable<T>,
  limit: number,
  work: (item: T, stop: AbortSignal) => Promise<void>,
  signal?: AbortSignal,
): Promise<void> {
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`concurrency must be a positive integer, got ${limit}`);
  const stop = new AbortController();
  let failure: { error: unknown } | undefined;
  const fail = (error: unknown) => {
    failure ??= { error };
    stop.abort();
  };
  const onAbort = () => fail(new AbortError(undefined, { cause: signal?.reason }));
  if (signal?.aborted) onAbort();
  signal?.addEventListener('abort', onAbort, { once: true });

  const inFlight = new Set<Promise<void>>();
  try {
    for await (const item of items) {
      if (failure) break;
      const running: Promise<void> = work(item, stop.signal)
        .catch(fail)
        .finally(() => inFlight.delete(running));
      inFlight.add(running);
      if (inFlight.size >= limit) await Promise.race(inFlight);
    }
  } catch (err) {
    fail(err); // the items themselves failed (e.g. a source file could not be read)
  }
  await Promise.all(inFlight);
  signal?.removeEventListener('abort', onAbort);
  if (failure) throw failure.error;
}
