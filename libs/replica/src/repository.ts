import { z } from 'zod';
import { ObjectNotFoundError, ObjectStore } from '@jss/store';
import { domainKey, pointKey, pointsPrefix } from './keys';
import { ManifestError } from './errors';
import { DomainRecord, domainRecordSchema, Manifest, manifestSchema, parseStored } from './manifest';
import { NAME_PATTERN } from '@jss/contract';
import { assertName } from './assert-name';
import { POINT_ID_PATTERN, pointIdTime } from './point-id';
import { PointOrigin, newestOrigin } from './origins';

export interface PointSummary {
  id: string;
  time: string;
  vms: string[];
}

const isoTime = z.iso.datetime({ offset: true });

/** Reads protected domains and their recovery points from the object store. */
export class ReplicaRepository {
  constructor(private readonly store: ObjectStore) {}

  /**
   * Names of every domain, sorted: the top-level folders that hold a domain record (one listing of
   * a level, one check per folder; blocks are never listed).
   */
  async listDomains(): Promise<string[]> {
    const folders = (await this.store.listFolders('')).filter((name) => NAME_PATTERN.test(name));
    const isDomain = await Promise.all(folders.map((name) => this.store.exists(domainKey(name))));
    return folders.filter((_, i) => isDomain[i]);
  }

  async getDomain(name: string): Promise<DomainRecord | null> {
    assertName('domain', name);
    const key = domainKey(name);
    const body = await this.getOrNull(key);
    if (!body) return null;
    const record = parseStored(domainRecordSchema, key, body);
    if (record.name !== name) throw new ManifestError(key, `names domain "${record.name}"`);
    return record;
  }

  /** Every point of the domain, oldest first. */
  async listPoints(domain: string): Promise<PointSummary[]> {
    const points = await Promise.all((await this.pointIds(domain)).map(({ id }) => this.getPoint(domain, id)));
    return points.flatMap((p) => (p ? [{ id: p.id, time: p.time, vms: p.vms.map((vm) => vm.name) }] : []));
  }

  /** The validated manifest, or null when the domain has no such point. */
  async getPoint(domain: string, id: string): Promise<Manifest | null> {
    assertName('domain', domain);
    if (!POINT_ID_PATTERN.test(id)) return null;
    const key = pointKey(domain, id);
    const body = await this.getOrNull(key);
    if (!body) return null;
    const manifest = parseStored(manifestSchema, key, body);
    if (manifest.id !== id || manifest.domain !== domain) {
      throw new ManifestError(key, `holds point ${manifest.id} of domain "${manifest.domain}"`);
    }
    return manifest;
  }

  /**
   * The point a recovery uses: the newest when `ref` is undefined, the point `ref` names, or the
   * newest at or before the ISO time `ref`. Null when there is none.
   */
  async resolvePoint(domain: string, ref?: string): Promise<Manifest | null> {
    if (ref !== undefined && POINT_ID_PATTERN.test(ref)) return this.getPoint(domain, ref);
    if (ref !== undefined && !isoTime.safeParse(ref).success) {
      throw new Error(`recovery point "${ref}" is neither a point id (rp-...) nor an ISO 8601 time`);
    }
    const notAfter = ref === undefined ? Infinity : Date.parse(ref);
    const candidates = (await this.pointIds(domain)).filter(({ time }) => time <= notAfter);
    return candidates.length === 0 ? null : this.getPoint(domain, candidates[candidates.length - 1].id);
  }

  /** The id of the domain's newest point from a listing alone (no manifest read), or null. */
  async newestPointId(domain: string): Promise<string | null> {
    return (await this.pointIds(domain)).at(-1)?.id ?? null;
  }

  /** Where the disks of the newest point read at `site` were read from, and their identities then (origins.ts). */
  newestOrigin(domain: string, site: string): Promise<PointOrigin | null> {
    return newestOrigin(this.store, domain, site);
  }

  async oldestPoint(domain: string): Promise<Manifest | null> {
    const [oldest] = await this.pointIds(domain);
    return oldest === undefined ? null : this.getPoint(domain, oldest.id);
  }

  /** Ids and times (ms) of the domain's points from the keys alone; oldest first, as keys are
   *  listed sorted and ids sort like their times. */
  async pointIds(domain: string): Promise<Array<{ id: string; time: number }>> {
    assertName('domain', domain);
    const prefix = pointsPrefix(domain);
    const keys = await this.store.list(prefix);
    return keys.flatMap((key) => {
      const id = key.slice(prefix.length).replace(/\.json$/, '');
      const time = pointIdTime(id);
      return time ? [{ id, time: time.getTime() }] : [];
    });
  }

  private async getOrNull(key: string): Promise<Buffer | null> {
    try {
      return await this.store.get(key);
    } catch (err) {
      if (err instanceof ObjectNotFoundError) return null;
      throw err;
    }
  }
}
