import { randomUUID } from 'node:crypto';
import { z } from 'zod';

export const CLOUDEVENTS_CONTENT_TYPE = 'application/cloudevents+json';

/** CloudEvents 1.0, structured JSON mode. Extensions (e.g. traceparent) pass through. */
export const cloudEventSchema = z.looseObject({
  specversion: z.literal('1.0'),
  id: z.string().min(1).max(200),
  source: z.string().min(1),
  type: z.string().min(1),
  time: z.iso.datetime({ offset: true }).optional(),
  subject: z.string().optional(),
  datacontenttype: z.string().optional(),
  traceparent: z.string().optional(),
  data: z.unknown().optional(),
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
