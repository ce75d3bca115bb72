import pLimit from 'p-limit';

/**
 * At most `size` holders at once, first come first served; a holder gives its turn back when it
 * no longer needs it, which may be before its work ends (the rehydrator: once a range's writes are
 * done, before its fsync and reply, so the next range reads while the disk flushes).
 */
export class Turns {
  private readonly limit: ReturnType<typeof pLimit>;

  constructor(size: number) {
    this.limit = pLimit(size);
  }

  /** Resolves with the holder's release once it has a turn; releasing twice is harmless. */
  take(): Promise<() => void> {
    return new Promise((granted) => {
      void this.limit(
        () =>
          new Promise<void>((release) => {
            granted(() => release());
          }),
      );
    });
  }
}
