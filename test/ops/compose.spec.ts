import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { envSchema } from '@jss/config';
import { SERVICES } from '@jss/processes';
import { OPS, ROOT, ensureOpsTools, run } from './support/tools';

interface ComposeService {
  environment?: Record<string, string>;
  volumes?: Array<string | { source: string; target: string }>;
  deploy?: { replicas?: number };
  profiles?: string[];
  command?: string[];
}

/** docker-compose 1.29 prints the short volume syntax (`source:target:mode`), Compose v2 the long one. */
function mounts(s: ComposeService): Array<{ source: string; target: string; bind: boolean }> {
  return (s.volumes ?? []).map((v) => {
    const [source, target] = typeof v === 'string' ? v.split(':') : [v.source, v.target];
    return { source, target, bind: path.isAbsolute(source) };
  });
}

/**
 * docker-compose.yml as docker-compose 1.29 reads it (`config` needs no Docker engine), and what
 * it must hold together with ops/: the services' settings, the shared data volume, the ports
 * Prometheus scrapes, the files it mounts.
 */
describe('docker-compose.yml', () => {
  let services: Record<string, ComposeService>;

  beforeAll(() => {
    ensureOpsTools();
    services = (parse(run('docker-compose', ['-f', 'docker-compose.yml', 'config'])) as { services: Record<string, ComposeService> })
      .services;
  });

  const HA = ['redis-replica-1', 'redis-replica-2', 'sentinel-1', 'sentinel-2', 'sentinel-3'];

  it('is valid and has the broker, Redis, the five services, Prometheus and Grafana (and, profile ha, Redis replicas and sentinels)', () => {
    expect(Object.keys(services).sort()).toEqual(['grafana', 'prometheus', 'rabbitmq', 'redis', ...SERVICES, ...HA].sort());
  });

  it('profile ha: two replicas of redis and three sentinels watching it, started only with the profile', () => {
    for (const name of HA) expect(services[name].profiles).toEqual(['ha']);
    for (const name of HA.filter((n) => n.startsWith('redis-')))
      expect(services[name].command!.join(' ')).toContain('--replicaof redis 6379');
    for (const name of HA.filter((n) => n.startsWith('sentinel-')))
      expect(services[name].command!.join(' ')).toContain('sentinel monitor jss redis 6379 2');
  });

  it('gives every service known settings, its SERVICE name and the one data volume at JSS_DATA_DIR', () => {
    const known = [...Object.keys(envSchema.shape), 'SERVICE'];
    const dataVolumes = new Set<string>();
    for (const name of SERVICES) {
      const env = services[name].environment!;
      expect(env).toMatchObject({
        SERVICE: name,
        AMQP_URL: expect.any(String),
        REDIS_URL: expect.any(String),
        HTTP_PORT: expect.any(String),
      });
      expect(known).toEqual(expect.arrayContaining(Object.keys(env)));
      const data = mounts(services[name]).find((v) => v.target === env.JSS_DATA_DIR)!;
      expect(data.bind).toBe(false);
      dataVolumes.add(data.source);
    }
    expect(dataVolumes.size).toBe(1);
  });

  it('runs two rehydrators (deploy.replicas, honoured by Compose v2 and docker-compose 1.29 alike)', () => {
    expect(services.rehydrator.deploy?.replicas).toBe(2);
  });

  it('has Prometheus scrape each service on its HTTP_PORT', () => {
    const config = parse(readFileSync(path.join(OPS, 'prometheus', 'prometheus.yml'), 'utf8')) as {
      scrape_configs: Array<{ job_name: string; dns_sd_configs?: Array<{ names: string[]; port: number }> }>;
    };
    for (const name of SERVICES) {
      const job = config.scrape_configs.find((c) => c.job_name === name);
      expect(job?.dns_sd_configs).toEqual([
        expect.objectContaining({ names: [name], port: Number(services[name].environment!.HTTP_PORT) }),
      ]);
    }
  });

  it('mounts files that exist', () => {
    const binds = Object.values(services).flatMap((s) => mounts(s).filter((v) => v.bind));
    expect(binds.length).toBeGreaterThan(0);
    for (const b of binds) expect([b.source, existsSync(b.source)]).toEqual([b.source, true]);
    expect(binds.map((b) => path.relative(ROOT, b.source))).toEqual(
      expect.arrayContaining(['ops/prometheus', 'ops/grafana/provisioning', 'ops/grafana/dashboards', 'ops/rabbitmq/definitions.json']),
    );
  });
});
