import { randomBytes } from 'node:crypto';

const TRACEPARENT = /^00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/;

/** The command's W3C traceparent if it has a valid one, else a new trace, carried to every event and job. */
export function traceparentOf(incoming: string | undefined): string {
  if (incoming && TRACEPARENT.test(incoming)) return incoming;
  return `00-${randomBytes(16).toString('hex')}-${randomBytes(8).toString('hex')}-01`;
}
