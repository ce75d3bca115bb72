import { temporaryName } from './names';

describe('temporaryName', () => {
  it('names the temporary VMs after their domain or VM', () => {
    expect(temporaryName('rocva', 'shop')).toBe('jss-rocva-shop');
    expect(temporaryName('rvm', 'web')).toBe('jss-rvm-web');
    expect(temporaryName('tvm', 'web')).toBe('jss-tvm-web');
    expect(temporaryName('recovered', 'web')).toBe('web');
  });
});
