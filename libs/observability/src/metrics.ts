import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { OPERATIONS, QUEUES, REASONS, SCANNED_VERDICTS } from '@jss/contract';

// Every metric of the services, in one registry. Labels are small fixed sets (operation, outcome,
// kind, reason, queue, verdict) — never a task or VM name, and a domain only on the drill age gauge
// and the domain gauges (clean-point age too), which hold at most MAX_DRILL_DOMAIN_SERIES /
// MAX_DOMAIN_SERIES domains. docs/operate.md's metrics table lists these.

export const registry = new Registry();
collectDefaultMetrics({ register: registry });

const durationBuckets = [1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600, 7200];

export const metrics = {
  redisUnconfirmedWrites: new Counter({
    name: 'jss_redis_unconfirmed_writes_total',
    help: 'Guarded Redis writes that too few replicas confirmed in time (the handler stopped; the message is retried)',
    registers: [registry],
  }),
  tasksStarted: new Counter({
    name: 'jss_tasks_started_total',
    help: 'Tasks accepted, by operation',
    labelNames: ['operation'],
    registers: [registry],
  }),
  tasksFinished: new Counter({
    name: 'jss_tasks_finished_total',
    help: 'Tasks ended, by operation and outcome (completed, failed, cancelled)',
    labelNames: ['operation', 'outcome'],
    registers: [registry],
  }),
  taskDuration: new Histogram({
    name: 'jss_task_duration_seconds',
    help: 'Time from acceptance to the end of a task, temporaries removed',
    labelNames: ['operation', 'outcome'],
    buckets: durationBuckets,
    registers: [registry],
  }),
  taskRto: new Histogram({
    name: 'jss_task_rto_seconds',
    help: 'Recovery time: from the command to the recovered VMs powered on',
    labelNames: ['operation'],
    buckets: durationBuckets,
    registers: [registry],
  }),
  tasksRunning: new Gauge({
    name: 'jss_tasks_running',
    help: 'Tasks not yet ended (shared task state in Redis; every planner replica reports the same value)',
    labelNames: ['operation'],
    registers: [registry],
  }),
  tasksStalled: new Gauge({
    name: 'jss_tasks_stalled',
    help: 'Running tasks whose bytes have not moved for TASK_STALL_SECONDS',
    registers: [registry],
  }),
  continuousLag: new Gauge({
    name: 'jss_continuous_lag_seconds',
    help: 'Continuous failovers: age of the recovery point the RVMs hold (the largest over the tasks)',
    registers: [registry],
  }),
  temporaries: new Gauge({
    name: 'jss_temporaries',
    help: 'Temporary VMs alive on the platform, by kind (rocva, rvm, tvm)',
    labelNames: ['kind'],
    registers: [registry],
  }),
  temporaryOldestAge: new Gauge({
    name: 'jss_temporary_oldest_age_seconds',
    help: 'Age of the oldest temporary VM alive, by kind',
    labelNames: ['kind'],
    registers: [registry],
  }),
  commandsRejected: new Counter({
    name: 'jss_commands_rejected_total',
    help: 'Commands refused with command.rejected, by reason code',
    labelNames: ['reason'],
    registers: [registry],
  }),
  rehydratedBytes: new Counter({
    name: 'jss_rehydrated_bytes_total',
    help: 'Logical bytes of disk rehydrated (written, or skipped as zero or unchanged)',
    registers: [registry],
  }),
  storeReadBytes: new Counter({
    name: 'jss_store_read_bytes_total',
    help: 'Bytes read from the object store by rehydration',
    registers: [registry],
  }),
  rehydratedBlocks: new Counter({
    name: 'jss_rehydrated_blocks_total',
    help: 'Blocks handled by rehydration, by result (read, zero, unchanged)',
    labelNames: ['result'],
    registers: [registry],
  }),
  verifyFailures: new Counter({
    name: 'jss_block_verify_failures_total',
    help: 'Blocks whose content did not match their hash (or were missing)',
    registers: [registry],
  }),
  jobDuration: new Histogram({
    name: 'jss_rehydration_job_duration_seconds',
    help: 'Time to rehydrate one range job',
    labelNames: ['outcome'],
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300],
    registers: [registry],
  }),
  lockWait: new Histogram({
    name: 'jss_lock_wait_seconds',
    help: 'Time spent waiting for a domain lock',
    labelNames: ['lock'],
    buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10],
    registers: [registry],
  }),
  lockContention: new Counter({
    name: 'jss_lock_contention_total',
    help: 'Lock acquisitions that found the lock held by another holder',
    labelNames: ['lock'],
    registers: [registry],
  }),
  janitorSweeps: new Counter({
    name: 'jss_janitor_sweeps_total',
    help: 'Orphan and stale-reference sweeps run by the janitor',
    registers: [registry],
  }),
  orphansRemoved: new Counter({
    name: 'jss_janitor_orphans_removed_total',
    help: 'Temporary VMs of no live task removed by the sweep, by kind',
    labelNames: ['kind'],
    registers: [registry],
  }),
  drills: new Counter({
    name: 'jss_drills_total',
    help: 'Scheduled drills ended, by outcome (passed, failed; skipped: due while the last drill of the domain still ran)',
    labelNames: ['outcome'],
    registers: [registry],
  }),
  drillLastPassedAge: new Gauge({
    name: 'jss_drill_last_passed_age_seconds',
    help: 'Scheduled domains: time since the last passed drill (since scheduled, if none yet); the most overdue domains only',
    labelNames: ['domain'],
    registers: [registry],
  }),
  drillsOverdue: new Gauge({
    name: 'jss_drills_overdue',
    help: 'Scheduled domains whose last passed drill is older than their alert period (shared state: every planner reports the same)',
    registers: [registry],
  }),
  domainPointAge: new Gauge({
    name: 'jss_domain_point_age_seconds',
    help: "Age of each protected domain's newest recovery point (the domains furthest past their objectives only)",
    labelNames: ['domain'],
    registers: [registry],
  }),
  domainRpoObjective: new Gauge({
    name: 'jss_domain_rpo_objective_seconds',
    help: 'RPO objective of each domain that has one (jssctl domain set --rpo), for the same domains',
    labelNames: ['domain'],
    registers: [registry],
  }),
  domainRtoForecast: new Gauge({
    name: 'jss_domain_rto_forecast_seconds',
    help: "Forecast RTO of a failover of each domain now, from this installation's recent recoveries (same domains)",
    labelNames: ['domain'],
    registers: [registry],
  }),
  domainRtoObjective: new Gauge({
    name: 'jss_domain_rto_objective_seconds',
    help: 'RTO objective of each domain that has one (jssctl domain set --rto), for the same domains',
    labelNames: ['domain'],
    registers: [registry],
  }),
  domainsRpoBreached: new Gauge({
    name: 'jss_domains_rpo_breached',
    help: 'Domains whose newest recovery point is older than their RPO objective (shared state: every planner reports the same)',
    registers: [registry],
  }),
  domainsRtoAtRisk: new Gauge({
    name: 'jss_domains_rto_at_risk',
    help: 'Domains whose forecast RTO is above their RTO objective',
    registers: [registry],
  }),
  pointsScanned: new Counter({
    name: 'jss_points_scanned_total',
    help: 'Recovery points scanned for signs of ransomware, by verdict (clean, suspicious); counted by the scanner that wrote the verdict',
    labelNames: ['verdict'],
    registers: [registry],
  }),
  scannedBytes: new Counter({
    name: 'jss_scanned_bytes_total',
    help: 'Bytes of changed blocks read and analysed by the scanner',
    registers: [registry],
  }),
  scanDuration: new Histogram({
    name: 'jss_scan_duration_seconds',
    help: 'Time to scan one recovery point (its changed blocks read, verdict stored)',
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300],
    registers: [registry],
  }),
  pointsUnscanned: new Gauge({
    name: 'jss_points_unscanned',
    help: "Recovery points without a verdict, as of the scanner's last listing (scanning disabled: not counted)",
    registers: [registry],
  }),
  lastCleanPointAge: new Gauge({
    name: 'jss_last_clean_point_age_seconds',
    help: 'Scanned domains: age of the newest point whose VMs are all clean (with none: of the oldest point); the stalest domains only',
    labelNames: ['domain'],
    registers: [registry],
  }),
  messages: new Counter({
    name: 'jss_messages_total',
    help: 'Messages handled by a service, by queue and outcome (ack, retry, outage: handled again in hand while a store is away, dead-letter)',
    labelNames: ['queue', 'outcome'],
    registers: [registry],
  }),
};

// Every label value each metric can take. initMetricLabels() exports all those series at 0 from the
// start, so that increase() and rate() see the first failure or rejection (a series born at 1 shows no
// increase) and dashboard panels and alerts have data before anything happened. Every process exports
// every series; dashboards sum or max over them, so the zeros of the other services change nothing.
const TASK_OUTCOMES = ['completed', 'failed', 'cancelled'];
const TEMPORARY_KINDS = ['rocva', 'rvm', 'tvm'];
const BLOCK_RESULTS = ['read', 'zero', 'unchanged'];
const JOB_OUTCOMES = ['done', 'aborted', 'failed'];
const LOCKS = ['rocva', 'drill'];
const DRILL_OUTCOMES = ['passed', 'failed', 'skipped'];
/** the drill age gauge keeps this many domains (the most overdue): a bounded number of series */
export const MAX_DRILL_DOMAIN_SERIES = 50;
/** the domain gauges keep this many domains (the furthest past their objectives): a bounded number of series */
export const MAX_DOMAIN_SERIES = 50;
const MESSAGE_OUTCOMES = ['ack', 'retry', 'outage', 'dead-letter'];
const SERVICE_QUEUE_NAMES = Object.values(QUEUES).filter((q) => q !== QUEUES.deadLetters && q !== QUEUES.parkedDeadLetters);

export function initMetricLabels(): void {
  for (const operation of OPERATIONS) {
    metrics.tasksStarted.inc({ operation }, 0);
    metrics.taskRto.zero({ operation });
    metrics.tasksRunning.set({ operation }, 0);
    for (const outcome of TASK_OUTCOMES) {
      metrics.tasksFinished.inc({ operation, outcome }, 0);
      metrics.taskDuration.zero({ operation, outcome });
    }
  }
  for (const kind of TEMPORARY_KINDS) {
    metrics.temporaries.set({ kind }, 0);
    metrics.temporaryOldestAge.set({ kind }, 0);
    metrics.orphansRemoved.inc({ kind }, 0);
  }
  for (const reason of Object.values(REASONS)) metrics.commandsRejected.inc({ reason }, 0);
  for (const result of BLOCK_RESULTS) metrics.rehydratedBlocks.inc({ result }, 0);
  for (const outcome of JOB_OUTCOMES) metrics.jobDuration.zero({ outcome });
  for (const lock of LOCKS) {
    metrics.lockWait.zero({ lock });
    metrics.lockContention.inc({ lock }, 0);
  }
  for (const outcome of DRILL_OUTCOMES) metrics.drills.inc({ outcome }, 0);
  metrics.drillsOverdue.set(0);
  metrics.domainsRpoBreached.set(0);
  metrics.domainsRtoAtRisk.set(0);
  for (const verdict of SCANNED_VERDICTS) metrics.pointsScanned.inc({ verdict }, 0);
  metrics.scanDuration.zero({});
  metrics.pointsUnscanned.set(0);
  for (const queue of SERVICE_QUEUE_NAMES) {
    for (const outcome of MESSAGE_OUTCOMES) metrics.messages.inc({ queue, outcome }, 0);
  }
}

initMetricLabels();
