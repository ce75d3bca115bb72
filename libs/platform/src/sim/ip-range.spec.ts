import { ipRange } from './ip-range';

describe('ipRange', () => {
  it('counts up across octets', () => {
    expect(ipRange('10.0.0.254', 4)).toEqual(['10.0.0.254', '10.0.0.255', '10.0.1.0', '10.0.1.1']);
    expect(ipRange('10.20.0.10', 200)).toHaveLength(200);
    expect(ipRange('10.20.0.10', 0)).toEqual([]);
  });

  it('refuses what is not an IPv4 address or runs out of them', () => {
    expect(() => ipRange('10.0.0', 1)).toThrow(RangeError);
    expect(() => ipRange('255.255.255.255', 2)).toThrow(RangeError);
  });
});
