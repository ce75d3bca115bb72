// Keys become file paths in the local-folder store and object names in S3 / Azure, so they are
// checked once, here, for every back end: '/'-separated, relative, no '.' or '..' segments, and no
// segment starting with '.' (the folder store keeps its temporary files under such names).

export class InvalidObjectKeyError extends Error {
  constructor(
    readonly key: string,
    reason: string,
  ) {
    super(`invalid object key "${key}": ${reason}`);
    this.name = 'InvalidObjectKeyError';
  }
}

/** Throws InvalidObjectKeyError unless `key` is a well-formed object key. */
export function assertObjectKey(key: string): void {
  checkSegments(key, key.split('/'));
}

/** A list prefix is a key, or the start of one: it may be empty or end with '/'. */
export function assertObjectPrefix(prefix: string): void {
  if (prefix === '') return;
  const segments = prefix.split('/');
  if (prefix.endsWith('/')) segments.pop();
  checkSegments(prefix, segments);
}

function checkSegments(key: string, segments: string[]): void {
  if (key.startsWith('/') || key.includes('\\')) throw new InvalidObjectKeyError(key, 'must be a relative "/"-separated path');
  if (key.includes('\0')) throw new InvalidObjectKeyError(key, 'contains a NUL character');
  for (const segment of segments) {
    if (segment === '') throw new InvalidObjectKeyError(key, 'has an empty path segment');
    if (segment === '..') throw new InvalidObjectKeyError(key, '".." segments are not allowed');
    if (segment.startsWith('.')) throw new InvalidObjectKeyError(key, 'segments starting with "." are reserved');
  }
}
