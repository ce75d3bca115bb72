import { z } from 'zod';
import { NAME_PATTERN } from '@jss/contract';
import { ObjectNotFoundError, type ObjectStore } from '@jss/store';
import { assertName } from './assert-name';
import { parseStored } from './manifest';
import { POINT_ID_PATTERN } from './point-id';

// Beside a point, never in its manifest: where each disk of the point was read from and what that
// disk's identity was around the read. A failback reads it to prove that an original disk still
// holds the point (delta failback); a point without one is never used as a base.

const name = z.string().regex(NAME_PATTERN);

export const originSchema = z.strictObject({
  version: z.literal(1),
  pointId: z.string().regex(POINT_ID_PATTERN),
  site: z.string().min(1).max(80),
  vms: z
    .array(
      z.strictObject({
        name,
        disks: z
          .array(z.strictObject({ index: z.number().int().min(0), path: z.string().min(1).max(400), identity: z.string().min(1).max(300) }))
          .max(64),
      }),
    )
    .max(10_000),
});
export type PointOrigin = z.infer<typeof originSchema>;

/** Listed per site, so that the newest point read at a site is one listing away. */
export const originsPrefix = (domain: string, site: string): string => `${domain}/origins/${site}/`;
export const originKey = (domain: string, site: string, pointId: string): string => `${originsPrefix(domain, site)}${pointId}.json`;

export async function writeOrigin(store: ObjectStore, domain: string, origin: PointOrigin): Promise<void> {
  const parsed = originSchema.parse(origin);
  await store.put(originKey(domain, parsed.site, parsed.pointId), Buffer.from(JSON.stringify(parsed)));
}

/** The origin of the newest point read at `site` (its key sorts last), or null. */
export async function newestOrigin(store: ObjectStore, domain: string, site: string): Promise<PointOrigin | null> {
  assertName('domain', domain);
  const prefix = originsPrefix(domain, site);
  const ids = (await store.list(prefix))
    .map((k) => k.slice(prefix.length).replace(/\.json$/, ''))
    .filter((id) => POINT_ID_PATTERN.test(id));
  const newest = ids.sort().at(-1);
  if (!newest) return null;
  const key = originKey(domain, site, newest);
  let body: Buffer;
  try {
    body = await store.get(key);
  } catch (err) {
    if (err instanceof ObjectNotFoundError) return null;
    throw err;
  }
  const origin = parseStored(originSchema, key, body);
  return origin.pointId === newest && origin.site === site ? origin : null;
}
