import { loadEnv } from '@jss/config';
import { parseStoreUrl } from './store-url';

describe('JSS_STORE_URL', () => {
  it('names a folder, a bucket or a container, with an optional prefix', () => {
    expect(parseStoreUrl(undefined, '/data')).toEqual({ kind: 'file', root: '/data/objects' });
    expect(parseStoreUrl('file:///srv/replicas', '/data')).toEqual({ kind: 'file', root: '/srv/replicas' });
    expect(parseStoreUrl('s3://my-bucket', '/data')).toEqual({ kind: 's3', bucket: 'my-bucket', prefix: '' });
    expect(parseStoreUrl('s3://my-bucket/dr/site-a/', '/data')).toEqual({ kind: 's3', bucket: 'my-bucket', prefix: 'dr/site-a' });
    expect(parseStoreUrl('azure://replicas/dr', '/data')).toEqual({ kind: 'azure', container: 'replicas', prefix: 'dr' });
  });

  it('refuses what it cannot use, at start-up', () => {
    expect(() => parseStoreUrl('s3://b/a//x', '/d')).toThrow('empty segments');
    expect(() => parseStoreUrl('gs://bucket', '/d')).toThrow('unsupported scheme');
    expect(() => loadEnv({ JSS_STORE_URL: 'bucket' })).toThrow(/JSS_STORE_URL: use file:\/\/\/path/);
    expect(() => loadEnv({ JSS_STORE_URL: 's3:///x' })).toThrow(/JSS_STORE_URL/);
    expect(loadEnv({ JSS_STORE_URL: 's3://b/p', JSS_S3_FORCE_PATH_STYLE: 'true' }).JSS_S3_FORCE_PATH_STYLE).toBe(true);
  });
});
