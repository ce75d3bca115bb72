import * as keda from '@kubernetes-models/keda';
import * as k8s from 'kubernetes-models';
import { parseAllDocuments } from 'yaml';
import { envSchema } from '@jss/config';
import { QUEUES } from '@jss/contract';
import { SERVICES } from '@jss/processes';
import { ensureOpsTools, run } from './support/tools';

// Only the fields the checks below read; validate() checks the rest against the schemas.
interface Obj {
  apiVersion: string;
  kind: string;
  metadata: { name: string; annotations?: Record<string, string> };
  data?: Record<string, string>;
  spec: Record<string, unknown>;
}
type Labels = Record<string, string>;
interface Container {
  env?: Array<{ name: string; value: string }>;
  envFrom: Array<{ configMapRef?: { name: string }; secretRef?: { name: string } }>;
  ports: Array<{ name: string; containerPort: number }>;
  livenessProbe: { httpGet: { path: string; port: string } };
  readinessProbe: { httpGet: { path: string; port: string } };
  resources: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext: { allowPrivilegeEscalation: boolean; readOnlyRootFilesystem: boolean };
  volumeMounts: Array<{ name: string; mountPath: string }>;
}
interface DeploymentSpec {
  replicas?: number;
  selector: { matchLabels: Labels };
  template: {
    metadata: { labels: Labels };
    spec: {
      securityContext: { runAsNonRoot: boolean };
      containers: Container[];
      volumes: Array<{ name: string; persistentVolumeClaim?: { claimName: string } }>;
    };
  };
}

type Model = new (data: unknown) => { validate(): void };

/** Every model class of kubernetes-models and @kubernetes-models/keda, by `apiVersion/kind`. */
function models(): Map<string, Model> {
  const found = new Map<string, Model>();
  const walk = (ns: object, depth: number) => {
    for (const v of Object.values(ns)) {
      if (typeof v === 'function' && 'apiVersion' in v && 'kind' in v) found.set(`${v.apiVersion}/${v.kind}`, v as Model);
      else if (v && typeof v === 'object' && depth < 4) walk(v, depth + 1);
    }
  };
  walk(k8s, 0);
  walk(keda, 0);
  return found;
}

const isSubset = (sub: Labels, of: Labels) => Object.entries(sub).every(([k, v]) => of[k] === v);

/** The example overlay as kubectl renders it, checked against the schemas and for what the services need. */
describe('k8s/overlays/example', () => {
  ensureOpsTools();
  const objects = parseAllDocuments(run('kubectl', ['kustomize', 'k8s/overlays/example'])).map((d) => d.toJS() as Obj);
  const find = (kind: string, name: string) => objects.find((o) => o.kind === kind && o.metadata.name === name);
  const deployment = (service: string) => find('Deployment', `jss-${service}`)!.spec as unknown as DeploymentSpec;
  const configMap = objects.find((o) => o.kind === 'ConfigMap')!;
  const httpPort = Number(configMap.data!.HTTP_PORT);

  it('validates every object against the Kubernetes and KEDA schemas (kubernetes-models)', () => {
    const byKind = models();
    const problems: string[] = [];
    for (const o of objects) {
      const Model = byKind.get(`${o.apiVersion}/${o.kind}`);
      if (!Model) {
        problems.push(`${o.kind} ${o.metadata.name}: no schema for ${o.apiVersion}`);
        continue;
      }
      try {
        new Model(o).validate();
      } catch (err) {
        problems.push(`${o.kind} ${o.metadata.name}: ${(err as Error).message}`);
      }
    }
    expect(problems).toEqual([]);
    expect(objects.map((o) => o.kind)).toEqual(expect.arrayContaining(['Deployment', 'ScaledObject', 'TriggerAuthentication']));
  });

  it('runs each service in its own Deployment, Service and PodDisruptionBudget, selecting its pods only', () => {
    for (const service of SERVICES) {
      const d = deployment(service);
      const pods = d.template.metadata.labels;
      expect(d.template.spec.containers[0].env).toContainEqual({ name: 'SERVICE', value: service });
      expect(isSubset(d.selector.matchLabels, pods)).toBe(true);
      const svc = find('Service', `jss-${service}`)!;
      const pdb = find('PodDisruptionBudget', `jss-${service}`)!;
      for (const selector of [svc.spec.selector as Labels, (pdb.spec.selector as { matchLabels: Labels }).matchLabels]) {
        expect(isSubset(selector, pods)).toBe(true);
        // no other service's pods
        for (const other of SERVICES.filter((s) => s !== service))
          expect(isSubset(selector, deployment(other).template.metadata.labels)).toBe(false);
      }
    }
  });

  it('probes /healthz and /readyz and exposes the metrics port with scrape annotations', () => {
    for (const service of SERVICES) {
      const c = deployment(service).template.spec.containers[0];
      const http = c.ports.find((p) => p.containerPort === httpPort)!;
      expect(c.livenessProbe.httpGet).toEqual({ path: '/healthz', port: http.name });
      expect(c.readinessProbe.httpGet).toEqual({ path: '/readyz', port: http.name });
      const svc = find('Service', `jss-${service}`)!;
      expect(svc.metadata.annotations).toMatchObject({
        'prometheus.io/scrape': 'true',
        'prometheus.io/port': String(httpPort),
        'prometheus.io/path': '/metrics',
      });
      expect((svc.spec.ports as Array<{ targetPort: string }>).map((p) => p.targetPort)).toContain(http.name);
    }
  });

  it('runs as non-root with resources set', () => {
    for (const service of SERVICES) {
      const pod = deployment(service).template.spec;
      expect(pod.securityContext.runAsNonRoot).toBe(true);
      const c = pod.containers[0];
      expect(c.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true });
      expect(c.resources.requests).toMatchObject({ cpu: expect.any(String), memory: expect.any(String) });
      expect(c.resources.limits).toMatchObject({ memory: expect.any(String) });
    }
  });

  it('configures the services from a ConfigMap and a Secret of known variables, JSS_DATA_DIR on a shared volume', () => {
    const known = Object.keys(envSchema.shape);
    const secret = objects.find((o) => o.kind === 'Secret')!;
    expect(Object.keys(secret.data!).sort()).toEqual(['AMQP_URL', 'REDIS_URL']);
    expect(known).toEqual(expect.arrayContaining(Object.keys(configMap.data!)));
    const pvc = find('PersistentVolumeClaim', 'jss-data')!;
    expect(pvc.spec.accessModes).toEqual(['ReadWriteMany']);
    for (const service of SERVICES) {
      const pod = deployment(service).template.spec;
      const refs = pod.containers[0].envFrom.map((e) => e.configMapRef?.name ?? e.secretRef?.name);
      expect(refs.sort()).toEqual([configMap.metadata.name, secret.metadata.name].sort());
      const mount = pod.containers[0].volumeMounts.find((m) => m.mountPath === configMap.data!.JSS_DATA_DIR)!;
      expect(pod.volumes.find((v) => v.name === mount.name)?.persistentVolumeClaim?.claimName).toBe(pvc.metadata.name);
    }
  });

  it.each([
    ['rehydrator', QUEUES.rehydratorJobs],
    ['scanner', QUEUES.scannerPoints],
  ])('scales the %s Deployment with KEDA on the length of its queue, with the AMQP URL of the Secret', (service, queue) => {
    const scaled = find('ScaledObject', `jss-${service}`)!.spec as {
      scaleTargetRef: { name: string };
      minReplicaCount: number;
      maxReplicaCount: number;
      triggers: Array<{ type: string; metadata: Record<string, string>; authenticationRef: { name: string } }>;
    };
    expect(scaled.scaleTargetRef.name).toBe(`jss-${service}`);
    expect(deployment(service).replicas).toBeUndefined();
    expect(scaled.minReplicaCount).toBeGreaterThanOrEqual(1);
    expect(scaled.minReplicaCount).toBeLessThanOrEqual(scaled.maxReplicaCount);
    const [trigger] = scaled.triggers;
    expect(trigger).toMatchObject({
      type: 'rabbitmq',
      metadata: { mode: 'QueueLength', queueName: queue, protocol: 'amqp' },
    });
    expect(Number(trigger.metadata.value)).toBeGreaterThan(0);
    const auth = find('TriggerAuthentication', trigger.authenticationRef.name)!;
    const [host] = auth.spec.secretTargetRef as Array<{ parameter: string; name: string; key: string }>;
    expect(host.parameter).toBe('host');
    expect(find('Secret', host.name)?.data?.[host.key]).toBeDefined();
    expect(host.key).toBe('AMQP_URL');
  });
});
