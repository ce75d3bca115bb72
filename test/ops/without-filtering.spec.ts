import { withoutFiltering } from './support/prometheus-server';

describe('withoutFiltering (alert expressions evaluated for their series)', () => {
  it('makes every comparison bool and leaves label matchers, strings and bool comparisons alone', () => {
    expect(withoutFiltering('sum by (q) (m{a!="x>1", b=~"y"}) > 0 and n{c="d"} == 0')).toBe(
      'sum by (q) (m{a!="x>1", b=~"y"}) > bool 0 and n{c="d"} == bool 0',
    );
    expect(withoutFiltering('max(x) >= 6 * 3600')).toBe('max(x) >= bool 6 * 3600');
    expect(withoutFiltering('up != bool 1')).toBe('up != bool 1');
  });
});
