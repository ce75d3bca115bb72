import { diskPath, parseDiskPath } from './disk-paths';

describe('datastore disk paths', () => {
  it('formats and parses "[datastore] vm/file"', () => {
    expect(diskPath('recovery-ds', 'jss-rvm-web', 2)).toBe('[recovery-ds] jss-rvm-web/disk-2.img');
    expect(parseDiskPath('[recovery-ds] my web/disk-2.img')).toEqual({
      datastore: 'recovery-ds',
      vm: 'my web',
      file: 'disk-2.img',
    });
  });

  it.each([
    'disk.img',
    '[ds] disk.img',
    '[ds] ../disk.img',
    '[ds] vm/../x',
    '[ds] a/b/c',
    '[] vm/disk.img',
    '[../../outside] v/victim.img',
    '[..] v/d.img',
    '[ds/x] v/d.img',
    '[ds\0] v/d.img',
    '[ds] v\0/d.img',
  ])('refuses %s, which could point outside a VM folder', (path) => {
    expect(() => parseDiskPath(path)).toThrow(expect.objectContaining({ code: 'unknown-disk' }));
  });
});
