import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createObjectStore, FsObjectStore, InvalidObjectKeyError, ObjectNotFoundError } from './index';

describe('FsObjectStore', () => {
  let root: string;
  let store: FsObjectStore;

  beforeEach(async () => {
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'jss-store-'));
    store = new FsObjectStore(root);
  });
  afterEach(() => fs.rm(root, { recursive: true, force: true }));

  it('puts, gets, tests and deletes objects', async () => {
    await store.put('d/blocks/ab/abc', Buffer.from('hello'));
    expect((await store.get('d/blocks/ab/abc')).toString()).toBe('hello');
    expect(await store.exists('d/blocks/ab/abc')).toBe(true);
    expect(await store.exists('d/blocks/ab')).toBe(false); // a directory is not an object
    await store.put('d/blocks/ab/abc', Buffer.from('replaced'));
    expect((await store.get('d/blocks/ab/abc')).toString()).toBe('replaced');
    await store.delete('d/blocks/ab/abc');
    expect(await store.exists('d/blocks/ab/abc')).toBe(false);
    await store.delete('d/blocks/ab/abc'); // deleting a missing object is not an error
  });

  it('lists keys under a prefix, sorted and recursively', async () => {
    for (const key of ['b/2', 'a/x/1', 'a/y', 'ab', 'a/x/0']) await store.put(key, Buffer.from(key));
    expect(await store.list('')).toEqual(['a/x/0', 'a/x/1', 'a/y', 'ab', 'b/2']);
    expect(await store.list('a/')).toEqual(['a/x/0', 'a/x/1', 'a/y']);
    expect(await store.list('a')).toEqual(['a/x/0', 'a/x/1', 'a/y', 'ab']);
    expect(await store.list('a/x/1')).toEqual(['a/x/1']);
    expect(await store.list('nothing/')).toEqual([]);
    expect(await store.listFolders('')).toEqual(['a', 'b']);
    expect(await store.listFolders('a/')).toEqual(['x']);
    expect(await store.listFolders('nothing/')).toEqual([]);
    await expect(store.listFolders('a')).rejects.toThrow("ends with '/'");
  });

  it('throws ObjectNotFoundError for a missing key', async () => {
    await store.put('a/b', Buffer.from('x'));
    await expect(store.get('missing')).rejects.toBeInstanceOf(ObjectNotFoundError);
    await expect(store.get('a/b/c')).rejects.toThrow('object not found: a/b/c');
    await expect(store.get('a')).rejects.toBeInstanceOf(ObjectNotFoundError);
  });

  it('rejects keys that could escape the root or collide with temp files', async () => {
    for (const key of ['../x', 'a/../../x', '/etc/passwd', 'a//b', 'a/', '', 'a/.tmp-1', 'a\\b']) {
      await expect(store.put(key, Buffer.from('x'))).rejects.toBeInstanceOf(InvalidObjectKeyError);
      await expect(store.get(key)).rejects.toBeInstanceOf(InvalidObjectKeyError);
    }
    await expect(store.list('../')).rejects.toThrow('".." segments are not allowed');
    await expect(fs.readdir(root)).resolves.toEqual([]);
  });

  it('writes atomically: temp files never show up and none is left behind', async () => {
    const body = Buffer.alloc(4 << 20, 7);
    const puts = Array.from({ length: 8 }, (_, i) => store.put(`p/${i % 2}`, body));
    const seen = await store.list('p/'); // taken while the puts run
    await Promise.all(puts);
    expect(seen.every((key) => key === 'p/0' || key === 'p/1')).toBe(true);
    expect(await fs.readdir(path.join(root, 'p'))).toEqual(['0', '1']);
    expect((await store.get('p/1')).equals(body)).toBe(true);
  });

  it('getInto reads an object into a given buffer and returns its size', async () => {
    const body = Buffer.from('0123456789');
    await store.put('d/k', body);
    const target = new Uint8Array(16).fill(0xee);
    expect(await store.getInto('d/k', target)).toBe(10);
    expect(Buffer.from(target.subarray(0, 10)).equals(body)).toBe(true);
    expect(target[10]).toBe(0xee); // nothing beyond the object
    // an object larger than the buffer: its size, so that the caller sees the mismatch
    expect(await store.getInto('d/k', new Uint8Array(4))).toBe(10);
    await store.put('d/empty', Buffer.alloc(0));
    expect(await store.getInto('d/empty', new Uint8Array(4))).toBe(0);
  });

  it('getInto: ObjectNotFoundError for a missing key or a directory, InvalidObjectKeyError for a bad key', async () => {
    await store.put('a/b', Buffer.from('x'));
    await expect(store.getInto('missing', new Uint8Array(4))).rejects.toBeInstanceOf(ObjectNotFoundError);
    await expect(store.getInto('a', new Uint8Array(4))).rejects.toBeInstanceOf(ObjectNotFoundError);
    await expect(store.getInto('a/b/c', new Uint8Array(4))).rejects.toBeInstanceOf(ObjectNotFoundError);
    await expect(store.getInto('../x', new Uint8Array(4))).rejects.toBeInstanceOf(InvalidObjectKeyError);
  });

  it('getInto is throttled like get', async () => {
    const slow = new FsObjectStore(root, { latencyMs: 60 });
    await slow.put('k', Buffer.from('x'));
    const started = performance.now();
    await slow.getInto('k', new Uint8Array(1));
    expect(performance.now() - started).toBeGreaterThanOrEqual(60);
  });

  it('ping creates the root folder', async () => {
    const nested = new FsObjectStore(path.join(root, 'objects'));
    await nested.ping();
    expect((await fs.stat(path.join(root, 'objects'))).isDirectory()).toBe(true);
  });

  it('simulates latency on every get', async () => {
    const slow = new FsObjectStore(root, { latencyMs: 60 });
    await slow.put('k', Buffer.from('x'));
    const started = performance.now();
    await Promise.all([slow.get('k'), slow.get('k')]);
    expect(performance.now() - started).toBeGreaterThanOrEqual(60);
  });

  it('caps read bandwidth across concurrent gets', async () => {
    const slow = new FsObjectStore(root, { mbps: 20 });
    await slow.put('k', Buffer.alloc(1_000_000));
    const started = performance.now();
    await Promise.all([slow.get('k'), slow.get('k'), slow.get('k')]);
    // 3 MB through a shared 20 MB/s link takes at least 150 ms
    expect(performance.now() - started).toBeGreaterThanOrEqual(150);
  });

  it('createObjectStore uses <JSS_DATA_DIR>/objects', async () => {
    const created = createObjectStore({ JSS_DATA_DIR: root, JSS_STORE_LATENCY_MS: 0, JSS_STORE_MBPS: 0 });
    await created.put('x/y', Buffer.from('1'));
    expect(await fs.readFile(path.join(root, 'objects', 'x', 'y'), 'utf8')).toBe('1');
  });
});
