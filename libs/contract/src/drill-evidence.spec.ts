import { canonicalJson, domainOfDrill, drillId, evidenceHash } from './drill-evidence';

describe('drill evidence', () => {
  it('canonical JSON: keys sorted at every level, arrays in order, no whitespace', () => {
    expect(canonicalJson({ b: 1, a: [{ d: 'x', c: null }, 2], é: 'ü' })).toBe('{"a":[{"c":null,"d":"x"},2],"b":1,"é":"ü"}');
  });

  it('hashes the report without its sha256 field, whatever the key order or indentation', () => {
    const report = { id: 'drill-shop-20261201T100000Z', outcome: 'passed', vms: [{ vm: 'web' }] };
    const hash = evidenceHash(report as never);
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    const reordered = JSON.parse(JSON.stringify({ vms: [{ vm: 'web' }], outcome: 'passed', id: report.id, sha256: hash }, null, 2));
    expect(evidenceHash(reordered)).toBe(hash);
    expect(evidenceHash({ ...reordered, outcome: 'failed' })).not.toBe(hash);
  });

  it('names a drill by its domain and due time, to the second', () => {
    const id = drillId('shop-eu', Date.parse('2026-12-01T10:00:20.123Z'));
    expect(id).toBe('drill-shop-eu-20261201T100020Z');
    expect(domainOfDrill(id)).toBe('shop-eu');
    expect(domainOfDrill('drill-../x-20261201T100020Z')).toBeNull();
  });
});
