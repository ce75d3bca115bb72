import { randomUUID } from 'node:crypto';
import { z } from 'zod';

export const CLOUDEVENTS_CONTENT_TYPE = 'application/cloudevents+json';

/** Characters of an envelope attribute at most (extensions included). */
export const MAX_ATTRIBUTE_LENGTH = 1000;
/** Extension attributes at most. */
const MAX_EXTENSIONS = 20;
const CORE = new Set(['specversion', 'id', 'source', 'type', 'time', 'subject', 'datacontenttype', 'traceparent', 'data']);
const attribute = (max = MAX_ATTRIBUTE_LENGTH) => z.string().min(1).max(max);

/** CloudEvents 1.0, structured JSON mode. Extensions (e.g. traceparent) pass through, bounded. */
export const cloudEventSchema = z
  .looseObject({
    specversion: z.literal('1.0'),
    id: attribute(200),
    source: attribute(),
    type: attribute(200),
    time: z.iso.datetime({ offset: true }).optional(),
    subject: attribute(200).optional(),
    datacontenttype: attribute(100).optional(),
    traceparent: attribute(100).optional(),
    data: z.unknown().optional(),
  })
  .superRefine((event, ctx) => {
    const extensions = Object.keys(event).filter((k) => !CORE.has(k));
    if (extensions.length > MAX_EXTENSIONS) ctx.addIssue({ code: 'custom', message: `more than ${MAX_EXTENSIONS} extension attributes` });
    for (const k of extensions.slice(0, MAX_EXTENSIONS)) {
      const v = (event as Record<string, unknown>)[k];
      if (k.length > 20 || (typeof v === 'string' && v.length > MAX_ATTRIBUTE_LENGTH) || (typeof v === 'object' && v !== null)) {
        ctx.addIssue({ code: 'custom', path: [k.slice(0, 20)], message: 'an extension attribute is a short name with a scalar value' });
      }
    }
  });

export interface CloudEvent<T = unknown> {
  specversion: '1.0';
  id: string;
  source: string;
  type: string;
  time?: string;
  subject?: string;
  datacontenttype?: string;
  traceparent?: string;
  data: T;
}

export interface NewEvent<T> {
  type: string;
  source: string;
  data: T;
  subject?: string;
  traceparent?: string;
  id?: string;
}

export function cloudEvent<T>(e: NewEvent<T>): CloudEvent<T> {
  return {
    specversion: '1.0',
    id: e.id ?? randomUUID(),
    source: e.source,
    type: e.type,
    time: new Date().toISOString(),
    datacontenttype: 'application/json',
    ...(e.subject !== undefined && { subject: e.subject }),
    ...(e.traceparent !== undefined && { traceparent: e.traceparent }),
    data: e.data,
  };
}
