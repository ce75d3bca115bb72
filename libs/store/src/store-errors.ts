// Errors every back end maps its own to, so that the recovery code needs to know none of the SDKs.

/**
 * The store could not be used at all: network, DNS, timeouts, authentication, permissions, a missing
 * bucket or container, or throttling that outlived the SDK's retries. The recovery maps it to
 * `store-unreachable`; the message names the store.
 */
export class StoreUnreachableError extends Error {
  constructor(
    readonly store: string,
    cause: unknown,
  ) {
    super(`${store} cannot be reached: ${describeCause(cause)}`, { cause });
    this.name = 'StoreUnreachableError';
  }
}

/** put(..., { ifAbsent: true }) found the key taken: manifests are never overwritten. */
export class ObjectExistsError extends Error {
  constructor(readonly key: string) {
    super(`object already exists: ${key}`);
    this.name = 'ObjectExistsError';
  }
}

function describeCause(cause: unknown): string {
  if (!(cause instanceof Error)) return String(cause);
  const code = (cause as { code?: unknown }).code;
  const status =
    (cause as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode ?? (cause as { statusCode?: number }).statusCode;
  const parts = [
    cause.name !== 'Error' ? cause.name : '',
    typeof code === 'string' && code !== cause.name ? code : '',
    status ? `HTTP ${status}` : '',
  ]
    .filter(Boolean)
    .join(', ');
  const message = cause.message.split('\n')[0] || cause.name;
  return parts ? `${message} (${parts})` : message;
}
