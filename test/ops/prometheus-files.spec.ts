import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { OPS, ensureOpsTools, run } from './support/tools';

interface Rule {
  alert: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

/** The Prometheus files as promtool sees them, and the alert rules' own unit tests. */
describe('ops/prometheus with promtool', () => {
  const dir = path.join(OPS, 'prometheus');
  const rules = (parse(readFileSync(path.join(dir, 'alerts.yml'), 'utf8')) as { groups: Array<{ rules: Rule[] }> }).groups.flatMap(
    (g) => g.rules,
  );

  beforeAll(() => ensureOpsTools());

  it('checks the config, its rule files included', () => {
    expect(run('promtool', ['check', 'config', 'prometheus.yml'], { cwd: dir })).toMatch(/SUCCESS: 1 rule files found/);
  });

  it('checks the alert rules', () => {
    expect(run('promtool', ['check', 'rules', 'alerts.yml'], { cwd: dir })).toContain(`SUCCESS: ${rules.length} rules found`);
  });

  it('passes the unit tests of the alerts (alerts.test.yml), which fire every alert', () => {
    expect(run('promtool', ['test', 'rules', 'alerts.test.yml'], { cwd: dir })).toContain('SUCCESS');
    const tests = parse(readFileSync(path.join(dir, 'alerts.test.yml'), 'utf8')) as {
      tests: Array<{ alert_rule_test: Array<{ alertname: string; exp_alerts: unknown[] }> }>;
    };
    const fired = new Set(tests.tests.flatMap((t) => t.alert_rule_test.filter((a) => a.exp_alerts.length).map((a) => a.alertname)));
    expect([...fired].sort()).toEqual(rules.map((r) => r.alert).sort());
  });

  it('gives every alert a severity, a summary and a description', () => {
    for (const r of rules) {
      expect([r.alert, r.labels?.severity]).toEqual([r.alert, expect.stringMatching(/^(critical|warning)$/)]);
      expect(r.annotations).toMatchObject({ summary: expect.any(String), description: expect.any(String) });
    }
  });
});
