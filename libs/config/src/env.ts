import { z } from 'zod';
import { TIMING } from '@jss/contract';

// Every setting is an environment variable; defaults work against RabbitMQ and Redis on localhost.
// The configuration table of docs/configuration.md lists exactly these (a test checks it).
export const envSchema = z.object({
  /** one broker URL, or several separated by commas: the nodes of a cluster */
  AMQP_URL: z
    .string()
    .default('amqp://guest:guest@127.0.0.1:5672')
    .refine(
      (v) => v.split(',').every((u) => /^amqps?:\/\/[^\s]+$/.test(u.trim())),
      'each comma-separated entry must be an amqp:// or amqps:// URL',
    ),
  REDIS_URL: z.string().url().default('redis://127.0.0.1:6379'),
  /** prefix of every Redis key, so that several installations (or test files) share one Redis */
  REDIS_PREFIX: z.string().default('jss:'),
  /** Redis with Sentinel: the sentinels as host:port,host:port,... (unset: REDIS_URL's host is the one Redis) */
  REDIS_SENTINELS: z.preprocess(
    (v) => (v === '' ? undefined : v), // compose passes an unset variable as ''
    z
      .string()
      .regex(/^[^\s,:]+:\d{1,5}(,[^\s,:]+:\d{1,5})*$/, 'use host:port,host:port,...')
      .optional(),
  ),
  /** the name the sentinels monitor the primary under */
  REDIS_SENTINEL_MASTER: z.string().min(1).default('jss'),
  /** the sentinels' own password, where they need one (the primary's is REDIS_URL's) */
  REDIS_SENTINEL_PASSWORD: z.string().optional(),
  /** replicas that must confirm a guarded write before it counts (WAIT); unset: 1 with sentinels, 0 without */
  REDIS_MIN_REPLICA_ACKS: z.coerce.number().int().min(0).max(16).optional(),
  /** how long a guarded write waits for those replicas before the handler gives up (the message is retried) */
  REDIS_REPLICA_ACK_TIMEOUT_MS: z.coerce.number().int().min(10).max(60_000).default(2000),
  JSS_DATA_DIR: z.string().default('./.jss'),
  /** address of /metrics, /healthz and /readyz: loopback outside containers (their images set 0.0.0.0) */
  HTTP_HOST: z.string().default('127.0.0.1'),
  /** port of the same; 0 picks a free port */
  HTTP_PORT: z.coerce.number().int().min(0).max(65535).default(0),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** blocks read (and verified) at once by one range job; up to two runs of verified blocks more wait to be written */
  REHYDRATOR_CONCURRENCY: z.coerce.number().int().min(1).max(256).default(16),
  /** range jobs one rehydrator process reads and writes at once (its AMQP prefetch is one more: the next waits at hand) */
  REHYDRATOR_JOBS: z.coerce.number().int().min(1).max(64).default(1),
  /** where the replicas are: file:///path (default <JSS_DATA_DIR>/objects), s3://bucket[/prefix], azure://container[/prefix] */
  JSS_STORE_URL: z
    .string()
    .regex(/^(file:\/\/\/|s3:\/\/[^/]|azure:\/\/[^/])/, 'use file:///path, s3://bucket[/prefix] or azure://container[/prefix]')
    .optional(),
  /** S3-compatible servers that need path-style requests (http://host/bucket/key) */
  JSS_S3_FORCE_PATH_STYLE: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true'),
  /** S3 / Azure: time one request may take before it is abandoned and retried */
  JSS_STORE_TIMEOUT_SECONDS: z.coerce.number().min(1).default(30),
  /** S3 / Azure: attempts per request (the SDK's retry with exponential backoff) before the store counts as unreachable */
  JSS_STORE_ATTEMPTS: z.coerce.number().int().min(1).max(20).default(5),
  /** simulated latency added to every object-store read (local-folder store only) */
  JSS_STORE_LATENCY_MS: z.coerce.number().min(0).default(0),
  /** simulated bandwidth cap of the local-folder store in MB/s; 0 = none */
  JSS_STORE_MBPS: z.coerce.number().min(0).default(0),
  /** planned failover: how long to wait for a recovery point newer than the source VMs' power-off */
  PLANNED_FAILOVER_TIMEOUT_SECONDS: z.coerce.number().min(1).default(900),
  /** a task whose bytes have not moved for this long is reported with task.stalled */
  TASK_STALL_SECONDS: z.coerce.number().min(1).default(TIMING.watchdog.stallSeconds),
  /** a task that made no move for this long in a state that does not wait by design fails with task-stuck */
  TASK_WATCHDOG_SECONDS: z.coerce.number().min(1).default(TIMING.watchdog.boundSeconds),
  /** how often the janitor sweeps for orphans and stale references */
  JANITOR_SWEEP_SECONDS: z.coerce.number().min(1).default(30),
  /** temporaries of no live task younger than this are left alone by the sweep (a task may be starting) */
  JANITOR_GRACE_SECONDS: z.coerce.number().min(0).default(60),
  /** the role map (YAML or JSON): who may run which operation on which domains; unset = everyone may do everything */
  JSS_AUTHZ_FILE: z.string().optional(),
  /** where recovery-plan webhooks may go: comma-separated hosts, or *.domain; unset = anywhere */
  JSS_WEBHOOK_HOSTS: z.string().optional(),
  /** the target platform: the simulated vCenter (default) or a vCenter through vim25 SOAP */
  JSS_PLATFORM: z.enum(['sim', 'vsphere']).default('sim'),
  /** vsphere: the SDK endpoint, e.g. https://vcenter.example/sdk */
  JSS_VSPHERE_URL: z.string().url().optional(),
  JSS_VSPHERE_USER: z.string().optional(),
  JSS_VSPHERE_PASSWORD: z.string().optional(),
  /** vsphere: accept a certificate that does not verify (self-signed vCenter); never in production */
  JSS_VSPHERE_INSECURE: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true'),
  /** vsphere: the site file (YAML): datacenters, clusters, datastores with mount paths, port groups with DHCP */
  JSS_VSPHERE_SITE_FILE: z.string().optional(),
  /** scanner: blocks read and analysed at once while scanning a recovery point */
  SCANNER_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(8),
  /** scanner: added to its nice value at start, so that a scan gives way to rehydration on a shared host (0: as started) */
  SCANNER_NICE: z.coerce.number().int().min(0).max(19).default(10),
  /** scanner: how long, in all, a point's scan waits while recoveries rehydrate (0: it does not wait) */
  SCANNER_YIELD_SECONDS: z.coerce.number().min(0).max(3600).default(30),
  /** scanner: how often it lists the object store for points no writer announced (and updates the clean-point ages) */
  SCANNER_LIST_SECONDS: z.coerce.number().min(1).default(30),
  /** planner: how long a `last-clean` command waits for the verdicts of points newer than the last clean one */
  SCAN_WAIT_SECONDS: z.coerce.number().min(0).max(600).default(20),
  /** on SIGTERM: how long a service waits for the messages in hand before it exits (they go back to their queues) */
  SHUTDOWN_GRACE_SECONDS: z.coerce.number().min(0).default(20),
  /** tests only: the simulated platform kills its process at this point of a VM creation; a scanner after a point's entropy summary is stored, before its verdict */
  JSS_TEST_CRASH_AT: z.enum(['create-before-commit', 'adopt-before-commit', 'scan-before-verdict', 'release-before-announce']).optional(),
  /** tests only: a service stops itself (SIGSTOP) right after it took a domain's RocVA lock and its fencing token */
  JSS_TEST_STOP_AT: z.enum(['rocva-locked']).optional(),
});

export type Env = z.infer<typeof envSchema>;

/** Parses the environment; throws one error listing every bad variable. */
export function loadEnv(source: NodeJS.ProcessEnv = process.env): Env {
  const parsed = envSchema.safeParse(source);
  if (!parsed.success) {
    const bad = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`invalid configuration: ${bad}`);
  }
  return parsed.data;
}
