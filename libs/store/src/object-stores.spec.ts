import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadEnv } from '@jss/config';
import { STORE_BACKENDS, StoreBackend, StoreServer } from '@jss/testing';
import {
  createObjectStore,
  InvalidObjectKeyError,
  ObjectExistsError,
  ObjectNotFoundError,
  ObjectStore,
  StoreUnreachableError,
} from './index';
import { SignedGets } from './signed-gets';

/** The same behaviour from every back end, against the real servers (fauxqs, Azurite). */
describe.each(STORE_BACKENDS)('object store: %s', (backend: StoreBackend) => {
  let dir: string;
  let server: StoreServer | null = null;
  let env: NodeJS.ProcessEnv;
  let store: ObjectStore;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), `jss-store-${backend}-`));
    if (backend !== 'file') server = await StoreServer.start(backend, dir);
    env = { JSS_DATA_DIR: dir, JSS_STORE_ATTEMPTS: '2', JSS_STORE_TIMEOUT_SECONDS: '5', ...server?.env() };
    store = createObjectStore(loadEnv(env), env);
  });
  afterAll(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('puts, gets, tests and deletes objects', async () => {
    await store.ping();
    await store.put('d/blocks/ab/abc', Buffer.from('hello'));
    expect((await store.get('d/blocks/ab/abc')).toString()).toBe('hello');
    expect(await store.exists('d/blocks/ab/abc')).toBe(true);
    expect(await store.exists('d/blocks/ab')).toBe(false);
    await store.put('d/blocks/ab/abc', Buffer.from('replaced'));
    expect((await store.get('d/blocks/ab/abc')).toString()).toBe('replaced');
    await store.delete('d/blocks/ab/abc');
    expect(await store.exists('d/blocks/ab/abc')).toBe(false);
    await store.delete('d/blocks/ab/abc');
  });

  it('lists keys under a prefix and the folders of a level', async () => {
    for (const key of ['l/b/2', 'l/a/x/1', 'l/a/y', 'l/ab', 'l/a/x/0']) await store.put(key, Buffer.from(key));
    expect(await store.list('l/')).toEqual(['l/a/x/0', 'l/a/x/1', 'l/a/y', 'l/ab', 'l/b/2']);
    expect(await store.list('l/a/')).toEqual(['l/a/x/0', 'l/a/x/1', 'l/a/y']);
    expect(await store.list('l/a')).toEqual(['l/a/x/0', 'l/a/x/1', 'l/a/y', 'l/ab']);
    expect(await store.list('nothing/')).toEqual([]);
    expect(await store.listFolders('l/')).toEqual(['a', 'b']);
    expect(await store.listFolders('l/a/')).toEqual(['x']);
    expect(await store.listFolders('nothing/')).toEqual([]);
    await expect(store.listFolders('l/a')).rejects.toThrow("ends with '/'");
    await expect(store.put('../x', Buffer.from('x'))).rejects.toBeInstanceOf(InvalidObjectKeyError);
  });

  it('lists past one page (1000 keys in S3, 5000 in Azure)', async () => {
    const keys = Array.from({ length: 1001 }, (_, i) => `many/${String(i).padStart(5, '0')}`);
    for (let i = 0; i < keys.length; i += 50) await Promise.all(keys.slice(i, i + 50).map((k) => store.put(k, Buffer.from('x'))));
    expect(await store.list('many/')).toEqual(keys);
  });

  it('missing objects: ObjectNotFoundError from get and getInto', async () => {
    await expect(store.get('missing/x')).rejects.toBeInstanceOf(ObjectNotFoundError);
    await expect(store.getInto!('missing/x', new Uint8Array(4))).rejects.toBeInstanceOf(ObjectNotFoundError);
  });

  it('getInto reads into a given buffer and returns the size', async () => {
    const body = Buffer.alloc(3 << 20);
    for (let i = 0; i < body.length; i++) body[i] = (i * 7) & 0xff;
    await store.put('g/k', body);
    const target = new Uint8Array(4 << 20).fill(0xee);
    expect(await store.getInto!('g/k', target)).toBe(body.length);
    expect(Buffer.from(target.subarray(0, body.length)).equals(body)).toBe(true);
    expect(target[body.length]).toBe(0xee);
    expect(await store.getInto!('g/k', new Uint8Array(10))).toBe(body.length);
  });

  it('getInto of any key: the same bytes as put (names with spaces and reserved characters)', async () => {
    const key = "n/a b/c!'(d)*+=,;@~$&/e";
    await store.put(key, Buffer.from('odd name'));
    const target = new Uint8Array(16);
    expect(await store.getInto!(key, target)).toBe(8);
    expect(Buffer.from(target.subarray(0, 8)).toString()).toBe('odd name');
  });

  it('never overwrites with ifAbsent', async () => {
    await store.put('m/point.json', Buffer.from('first'), { ifAbsent: true });
    await expect(store.put('m/point.json', Buffer.from('second'), { ifAbsent: true })).rejects.toBeInstanceOf(ObjectExistsError);
    expect((await store.get('m/point.json')).toString()).toBe('first');
  });

  if (backend === 'file') return;

  it('block reads are served by signed GETs, not the SDK, and a missing key is left to the SDK', async () => {
    const served = jest.spyOn(SignedGets.prototype, 'getInto');
    try {
      const target = new Uint8Array(4 << 20);
      expect(await store.getInto!('g/k', target)).toBe(3 << 20);
      expect(await store.getInto!("n/a b/c!'(d)*+=,;@~$&/e", target)).toBe(8);
      await expect(store.getInto!('missing/y', target)).rejects.toBeInstanceOf(ObjectNotFoundError);
      expect(await Promise.all(served.mock.results.map((r) => r.value))).toEqual([3 << 20, 8, undefined]);
    } finally {
      served.mockRestore();
    }
  });

  it('a store that is away: StoreUnreachableError naming the store, then works again once back', async () => {
    await server!.stop();
    try {
      const err = await store.get('g/k').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(StoreUnreachableError);
      expect((err as Error).message).toContain(backend === 's3' ? 'S3 bucket "jss-replicas"' : 'Azure container "jss-replicas"');
      expect((err as Error).message).toContain(String(server!.port));
      await expect(store.ping()).rejects.toBeInstanceOf(StoreUnreachableError);
      await expect(store.getInto!('g/k', new Uint8Array(4 << 20))).rejects.toBeInstanceOf(StoreUnreachableError);
    } finally {
      await server!.restart();
    }
    expect((await store.get('g/k')).length).toBe(3 << 20);
    expect(await store.getInto!('g/k', new Uint8Array(4 << 20))).toBe(3 << 20);
  });

  // fauxqs accepts any credentials; Azurite checks the shared-key signature
  if (backend === 'azure') {
    it('a wrong account key: StoreUnreachableError (403) from ping', async () => {
      const wrong = { ...env, ...server!.env({ accountKey: Buffer.from('not the key').toString('base64') }) };
      const err = await createObjectStore(loadEnv(wrong), wrong)
        .ping()
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(StoreUnreachableError);
      expect((err as Error).message).toMatch(/HTTP 403/);
    });
  }
});
