import { MAX_VM_NAME, temporaryName } from './vm-names';

describe('temporaryName', () => {
  it('names a RocVA after its domain, an RVM after the VM it becomes, a Test VM with its domain', () => {
    expect(temporaryName('rocva', 'shop')).toBe('jss-rocva-shop');
    expect(temporaryName('rvm', 'web-restored')).toBe('jss-rvm-web-restored');
    expect(temporaryName('tvm', 'web', 'shop')).toBe('jss-tvm-shop-web');
    expect(temporaryName('recovered', 'web')).toBe('web');
  });

  it('keeps the Test VMs of two domains with the same VM names apart', () => {
    expect(temporaryName('tvm', 'web', 'shop')).not.toBe(temporaryName('tvm', 'web', 'crm'));
  });

  it('shortens a name past 80 characters with a hash, the same every time, distinct for distinct names', () => {
    const long = 'v'.repeat(78);
    const a = temporaryName('tvm', long, 'shop');
    const b = temporaryName('tvm', long, 'shoq');
    expect(a).toHaveLength(MAX_VM_NAME);
    expect(a).toBe(temporaryName('tvm', long, 'shop'));
    expect(a).toMatch(/^jss-tvm-shop-v+-[0-9a-f]{8}$/);
    expect(a).not.toBe(b);
    expect(temporaryName('rvm', 'x'.repeat(72))).toBe(`jss-rvm-${'x'.repeat(72)}`);
    expect(temporaryName('rvm', 'x'.repeat(73))).toHaveLength(MAX_VM_NAME);
  });
});
