import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { SERVICES } from '@jss/processes';
import { Installation, waitUntil } from '@jss/testing';
import { PrometheusServer, withoutFiltering } from './support/prometheus-server';
import { RabbitmqNode } from './support/rabbitmq-node';
import { OPS, ensureOpsTools } from './support/tools';

const MiB = 1024 * 1024;
const RPO_SECONDS = 20;

interface ScrapeConfig {
  job_name: string;
  [key: string]: unknown;
}
interface Panel {
  title: string;
  type: string;
  datasource?: { uid: string };
  targets?: Array<{ expr: string; datasource?: { uid: string } }>;
}
interface Variable {
  name: string;
  query: { query: string };
}
interface Dashboard {
  panels: Panel[];
  templating: { list: Variable[] };
}
interface Rule {
  alert: string;
  expr: string;
}

const promConfig = parse(readFileSync(path.join(OPS, 'prometheus', 'prometheus.yml'), 'utf8')) as { scrape_configs: ScrapeConfig[] };
const alertsFile = path.join(OPS, 'prometheus', 'alerts.yml');
const rules = (parse(readFileSync(alertsFile, 'utf8')) as { groups: Array<{ rules: Rule[] }> }).groups.flatMap((g) => g.rules);
const dashboard = JSON.parse(readFileSync(path.join(OPS, 'grafana', 'dashboards', 'jss-recovery.json'), 'utf8')) as Dashboard;
const datasourceUid = (
  parse(readFileSync(path.join(OPS, 'grafana', 'provisioning', 'datasources', 'prometheus.yml'), 'utf8')) as {
    datasources: Array<{ uid: string }>;
  }
).datasources[0].uid;
const queries = dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => ({ panel: p, target: t })));

/**
 * Grafana's own variables have no meaning to Prometheus: the test gives them fixed values, long
 * enough to hold several of its 1 s scrapes. The dashboard's own variable $vhost gets the test
 * installation's vhost (a test checks that the variable's query offers it).
 */
const GRAFANA_VARIABLES: Record<string, string> = { __rate_interval: '1m', __range: '1h' };

function substitute(expr: string, values: Record<string, string>): string {
  return expr.replace(/\$(\w+)|\$\{(\w+)\}/g, (whole, a: string | undefined, b: string | undefined) => {
    const value = values[(a ?? b)!];
    if (value === undefined) throw new Error(`unknown variable ${whole} in ${expr}`);
    return value;
  });
}

/**
 * The ops files against real series: an installation runs a failover on a throwaway RabbitMQ node
 * (booted with ops/rabbitmq, so rabbitmq_prometheus is on without touching the shared broker's
 * plugins), a Prometheus of the test's own scrapes its services and that node with the jobs of
 * ops/prometheus/prometheus.yml and loads
 * ops/prometheus/alerts.yml; then every query of the Grafana dashboard and every alert expression
 * must be valid and return at least one series.
 */
describe('Prometheus, the alert rules and the Grafana dashboard against a running installation', () => {
  let broker: RabbitmqNode;
  let inst: Installation;
  let prom: PrometheusServer;
  const vhost = 'jss-ops';

  /** The values each dashboard variable's label_values() query offers. */
  async function offered(v: Variable): Promise<Set<string>> {
    const [, selector, label] = /^label_values\((.+),\s*(\w+)\)$/.exec(v.query.query) ?? [];
    if (!selector) throw new Error(`variable ${v.name}: not a label_values() query: ${v.query.query}`);
    const series = await prom.api<Array<Record<string, string>>>(`series?match[]=${encodeURIComponent(selector)}`);
    return new Set(series.map((s) => s[label]));
  }

  beforeAll(async () => {
    ensureOpsTools();
    broker = await RabbitmqNode.start({
      conf: path.join(OPS, 'rabbitmq', 'rabbitmq.conf'),
      definitions: path.join(OPS, 'rabbitmq', 'definitions.json'),
      enabledPlugins: path.join(OPS, 'rabbitmq', 'enabled_plugins'),
    });
    broker.ctl('add_vhost', vhost);
    broker.ctl('set_permissions', '-p', vhost, 'guest', '.*', '.*', '.*');
    // a scanner too, listing every second: its clean-point age of domain "ops" is a dashboard query
    inst = await Installation.start(
      { planner: 1, provisioner: 1, rehydrator: 1, janitor: 1, replicator: 1, scanner: 1 },
      { AMQP_URL: `amqp://guest:guest@127.0.0.1:${broker.amqpPort}/${vhost}`, SCANNER_LIST_SECONDS: '1' },
    );
    await inst.writer.writePoint('ops', [{ name: 'vm1', source: { sizeBytes: 4 * MiB, seed: 1 } }]);
    // objectives, and re-protection at the recovery site: a point every 6 s against a 20 s RPO
    expect((await inst.run('domain-set', { domain: 'ops', rpoSeconds: RPO_SECONDS, rtoSeconds: 1800 })).end.key).toBe('domain.updated');
    const { end } = await inst.run('failover', { domain: 'ops', reprotect: true });
    expect(end.key).toBe('task.completed');

    // the jobs of the ops config, each pointed at the test's processes of its name instead of Docker's DNS
    const scrapeConfigs = promConfig.scrape_configs.map(({ dns_sd_configs: _dns, static_configs: _static, ...job }) => {
      const targets =
        job.job_name === 'rabbitmq'
          ? [`127.0.0.1:${broker.prometheusPort}`]
          : inst.services.filter((s) => s.name.startsWith(`${job.job_name}-`)).map((s) => `127.0.0.1:${s.port}`);
      return { ...job, static_configs: [{ targets }] };
    });
    prom = await PrometheusServer.start({
      global: { scrape_interval: '1s', evaluation_interval: '1s' },
      rule_files: [alertsFile],
      scrape_configs: scrapeConfigs,
    });
    await prom.until('every target up for 3 scrapes', async () => {
      const up = await prom.query('count_over_time(up[1m]) >= 3 and up == 1');
      return up.length === scrapeConfigs.reduce((n, c) => n + c.static_configs[0].targets.length, 0);
    });
    await prom.until(
      'the domain gauges scraped',
      async () => (await prom.query('jss_domain_rto_objective_seconds{domain="ops"}')).length > 0,
    );
  });

  afterAll(async () => {
    await prom?.stop();
    await inst?.stop();
    await broker?.stop();
  });

  it('scrapes every service of the installation under a job of its name, and RabbitMQ', () => {
    const jobs = promConfig.scrape_configs.map((c) => c.job_name);
    expect(jobs.sort()).toEqual([...SERVICES, 'rabbitmq'].sort());
  });

  it('sees the failover in the services’ metrics and the test vhost’s queues in RabbitMQ’s', async () => {
    const value = async (expr: string) => Number((await prom.query(expr))[0]?.value[1]);
    expect(await value('sum(jss_tasks_finished_total{operation="failover", outcome="completed"})')).toBe(1);
    expect(await value('sum(jss_rehydrated_bytes_total{job="rehydrator"})')).toBe(4 * MiB);
    expect(await value(`sum(rabbitmq_detailed_queue_consumers{queue="jss.rehydrator.jobs", vhost="${vhost}"})`)).toBe(1);
  });

  it('offers the test vhost in the dashboard variable $vhost', async () => {
    expect(dashboard.templating.list.map((v) => v.name)).toEqual(['vhost']);
    expect(await offered(dashboard.templating.list[0])).toContain(vhost);
  });

  it('has data for every query of the dashboard', async () => {
    const values = { ...GRAFANA_VARIABLES, vhost };
    const empty: string[] = [];
    for (const { panel, target } of queries) {
      const expr = substitute(target.expr, values);
      if (!(await prom.query(expr)).length) empty.push(`${panel.title}: ${expr}`);
    }
    expect(empty).toEqual([]);
    expect(queries.length).toBeGreaterThan(20);
  });

  it('uses the provisioned data source in every panel and query', () => {
    const uids = dashboard.panels
      .filter((p) => p.type !== 'row')
      .flatMap((p) => [p.datasource?.uid, ...(p.targets ?? []).map((t) => t.datasource?.uid)]);
    expect(new Set(uids)).toEqual(new Set([datasourceUid]));
  });

  it('has series under every alert expression (comparisons made `bool`, so nothing is filtered out)', async () => {
    const empty: string[] = [];
    for (const rule of rules) {
      const expr = withoutFiltering(rule.expr);
      if (!(await prom.query(expr)).length) empty.push(`${rule.alert}: ${expr}`);
    }
    expect(empty).toEqual([]);
  });

  it('evaluates every alert rule without error', async () => {
    await prom.until('every rule evaluated', async () => {
      const { groups } = await prom.api<{ groups: Array<{ rules: Array<{ lastEvaluation: string }> }> }>('rules');
      return groups.flatMap((g) => g.rules).every((r) => !r.lastEvaluation.startsWith('0001'));
    });
    const { groups } = await prom.api<{ groups: Array<{ rules: Array<{ name: string; health: string; lastError?: string }> }> }>('rules');
    const loaded = groups.flatMap((g) => g.rules);
    expect(loaded.map((r) => r.name).sort()).toEqual(rules.map((r) => r.alert).sort());
    expect(loaded.filter((r) => r.health !== 'ok').map((r) => `${r.name}: ${r.lastError}`)).toEqual([]);
  });

  it('fires JssRpoBreached for the re-protected domain once its replicator stops, not before', async () => {
    const firing = async () => (await prom.query('ALERTS{alertname="JssRpoBreached", alertstate="firing", domain="ops"}')).length > 0;
    const age = async () => Number((await prom.query('max(jss_domain_point_age_seconds{domain="ops"})'))[0]?.value[1]);
    // protected from the recovery site: the replicator's points keep the newest point within the objective
    await waitUntil('a point taken at the recovery site', async () => (await inst.replica.resolvePoint('ops'))?.site === 'recovery');
    await prom.until('the scheduled points seen in the age gauge', async () => (await age()) < RPO_SECONDS / 2);
    expect(await firing()).toBe(false);
    await inst.stopServices('replicator');
    await prom.until('JssRpoBreached firing for domain ops', firing, 90_000);
    expect(await age()).toBeGreaterThan(RPO_SECONDS);
  });
});
