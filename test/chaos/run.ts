// npm run chaos [-- <seed>]: the project's chaos run. A private RabbitMQ node and a private Redis with
// AOF, the built services with several replicas, a burst of commands, then a mix of every operation
// (planned failover and failback of one domain in turn, a race of concurrent commands on one domain)
// while random services are SIGKILLed, the broker and Redis restarted; then quiescence and a table.
// Exits 1 on any lost command, unended task, leaked temporary, second RocVA of a domain, wrong disk
// or late name conflict, or < 90% accepted completed.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pRetry from 'p-retry';
import { AmqpBus } from '@jss/bus';
import { loadEnv } from '@jss/config';
import { EXCHANGES, Operation, cloudEvent, commandRoutingKey, commandType } from '@jss/contract';
import { createLogger } from '@jss/observability';
import { SimPlatform } from '@jss/platform';
import { createRedis } from '@jss/redis';
import { ReplicaWriter } from '@jss/replica';
import { FsObjectStore } from '@jss/store';
import { TaskStore } from '@jss/tasks';
import { diskHashes, waitUntil } from '@jss/testing';
import { RunningService, ServiceName } from '@jss/processes';
import { PlannedCycle } from './planned-cycle';
import { runFaults } from './faults';
import { highlyAvailable, singleNodes } from './control-plane';
import { asShippedUsers, chaosEnv, serviceStarter } from './stage';
import { EventObserver, generatedHash, prng, rssOf } from './support';
import { Sent, isControl, reasonOf, tableOf } from './table';

const args = process.argv.slice(2);
/** --ha: a three-node RabbitMQ cluster and Redis with Sentinel (control-plane.ts) */
const HA = args.includes('--ha');
const seed = Number(args.find((a) => a !== '--ha') ?? process.env.CHAOS_SEED ?? Math.floor(Math.random() * 2 ** 31));
const DURATION_MS = Number(process.env.CHAOS_SECONDS ?? 100) * 1000;
const BURST = Number(process.env.CHAOS_BURST ?? 1000);
// no scanner: no chaos command asks for last-clean (test/scanner.e2e-spec.ts kills scanners)
const REPLICAS: Record<ServiceName, number> = { planner: 2, provisioner: 2, rehydrator: 2, janitor: 1, replicator: 1, scanner: 0 };
const MiB = 1 << 20;
const DOMAINS = ['d0', 'd1', 'd2', 'd3'];
const VMS = [
  { name: 'a', size: 2 * MiB },
  { name: 'b', size: 3 * MiB + 4096 },
];
const END_KEYS = ['task.completed', 'task.failed', 'task.cancelled'];

const rand = prng(seed);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
const between = (lo: number, hi: number) => lo + rand() * (hi - lo);
const log = (msg: string) => console.log(`[chaos ${((Date.now() - T0) / 1000).toFixed(1)}s] ${msg}`);
const T0 = Date.now();
let abandon = async (): Promise<void> => undefined;

async function main(): Promise<number> {
  console.log(`chaos${HA ? ' --ha' : ''} seed ${seed} (npm run chaos --${HA ? ' --ha' : ''} ${seed} repeats this run)`);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'jss-chaos-'));
  const plane = HA ? await highlyAvailable(dir) : await singleNodes(dir);
  const services: RunningService[] = [];
  // interrupted (Ctrl-C, CI timeout) or failed: leave no process behind
  abandon = async () => {
    for (const s of services) s.child.kill('SIGKILL');
    await plane.stop('SIGKILL');
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void abandon().then(() => process.exit(1)));
  const amqpUrl = plane.amqpUrl;
  // as in production: the services as `jss`, the commands from `jss-publisher`
  const users = asShippedUsers(plane.node, amqpUrl);
  const env = chaosEnv(dir, users.services, plane.redisEnv);
  const client = createRedis(loadEnv(env), 'chaos:');
  client.on('error', () => undefined); // down while Redis restarts; ioredis reconnects
  const platform = new SimPlatform(client, env.JSS_DATA_DIR!);
  await platform.seed();
  const store = new FsObjectStore(path.join(env.JSS_DATA_DIR!, 'objects'));
  const expected = new Map<string, string>(); // `${domain}/${vm}` -> sha256 of its disk
  for (const [i, domain] of DOMAINS.entries()) {
    await new ReplicaWriter(store).writePoint(
      domain,
      VMS.map((v, j) => ({ name: v.name, source: { sizeBytes: v.size, seed: 100 * i + j } })),
    );
    VMS.forEach((v, j) => expected.set(`${domain}/${v.name}`, generatedHash(v.size, 100 * i + j, v.name)));
  }

  // --- services
  const start = serviceStarter(env, dir, services);
  // one at a time, once more if a start is too slow for a loaded machine
  for (const [name, n] of Object.entries(REPLICAS) as [ServiceName, number][])
    for (let i = 0; i < n; i++) await start(name).catch(() => start(name));
  log(`services up: ${services.map((s) => s.name).join(', ')}`);

  // --- what happened, by command id
  const sent = new Map<string, Sent>();
  const byCommand = new Map<string, Set<string>>();
  const taskOf = new Map<string, string>(); // command id -> task id
  const checks: Promise<void>[] = [];
  const wrongDisks: string[] = [];
  const readyTests: string[] = []; // task ids of tests up, for test-cleanup
  const running = new Set<string>(); // task ids accepted, not ended
  const checkDisks = async (label: string, site: string, vmName: string, want: string) => {
    const vm = await platform.getVm(site, vmName);
    if (!vm) return; // already cleaned up (a test past its ttl): nothing to compare
    const got = await diskHashes(platform, vm);
    if (got[0] !== want) wrongDisks.push(`${label}: ${vmName}`);
  };
  const bus = new AmqpBus(users.publisher, createLogger('chaos', 'silent'), { topology: 'client' });
  let cycle: PlannedCycle | undefined;
  const firstMoveAfterLoss: number[] = []; // by primary loss: ms from the loss to the first task move after it
  const observer = new EventObserver(amqpUrl, (key, event) => {
    if (key.startsWith('task.') && key !== 'task.accepted')
      plane.primaryLosses.forEach((at, i) => (firstMoveAfterLoss[i] ??= Date.now() - at));
    const commandId = event.data?.commandId as string | undefined;
    if (!commandId) return;
    if (!byCommand.has(commandId)) byCommand.set(commandId, new Set());
    byCommand.get(commandId)!.add(key);
    const cmd = sent.get(commandId);
    if (key === 'task.accepted' && event.subject) {
      taskOf.set(commandId, event.subject);
      running.add(event.subject);
    }
    if (END_KEYS.includes(key) && event.subject) running.delete(event.subject);
    if (cycle && (END_KEYS.includes(key) || key === 'command.rejected'))
      checks.push(cycle.ended(commandId, key, event).catch((err) => log(`planned cycle: ${err.message}`)));
    if (!cmd) return;
    const domain = cmd.data.domain as string;
    if (key === 'task.ready' && event.subject) {
      readyTests.push(event.subject);
      for (const v of event.data.vms as Array<{ vm: string; name: string; site: string }>)
        checks.push(checkDisks(`test-failover ${commandId}`, v.site, v.name, expected.get(`${domain}/${v.vm}`)!));
    }
    if (key === 'task.completed' && (cmd.op === 'restore' || cmd.op === 'failover' || cmd.op === 'continuous-failover')) {
      for (const v of event.data.vms as Array<{ vm: string; name: string; site: string }>) {
        const check = checkDisks(`${cmd.op} ${commandId}`, v.site, v.name, expected.get(`${domain}/${v.vm}`)!);
        // a failover's VMs keep their names: remove them (as an operator would) so that the next failover can run
        checks.push(cmd.op === 'restore' ? check : check.then(() => platform.deleteVm(v.site, v.name).then(() => undefined)));
      }
    }
  });

  await observer.ready();
  const publish = async (op: Operation, data: Record<string, unknown>): Promise<string> => {
    const id = randomUUID();
    sent.set(id, { id, op, data });
    const event = cloudEvent({ id, type: commandType(op), source: '/chaos', data });
    // a publish cut off by the broker's restart is sent again, as a user would (the same id starts nothing new)
    await pRetry(() => bus.publish(EXCHANGES.commands, commandRoutingKey(op), event, { userId: bus.user }), {
      retries: 60,
      factor: 1,
      minTimeout: 1000,
    });
    return id;
  };
  // planned failover and failback of a protected domain of its own, in turn
  cycle = new PlannedCycle(platform, store, 'p0', publish, (w) => wrongDisks.push(w), log);
  await cycle.protect([
    { name: 'pa', size: 2 * MiB, seed: 900 },
    { name: 'pb', size: MiB + 512, seed: 901 },
  ]);
  let renames = 0;
  const restore = (domain = pick(DOMAINS)) => {
    const vm = pick(VMS).name;
    return publish('restore', { domain, vms: [vm], rename: { [vm]: `${domain}-${vm}-r${renames++}` } });
  };

  // --- RSS of the planners and RocVAs per domain, sampled throughout
  let plannerRss = 0;
  let rocvasAtOnce = 0;
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      for (const s of services.filter((x) => x.name.startsWith('planner'))) plannerRss = Math.max(plannerRss, rssOf(s.child.pid));
      const rocvas = await platform.listVms({ kind: 'rocva' }).catch(() => []);
      const perDomain = new Map<string, number>();
      for (const r of rocvas) perDomain.set(r.owner!.domain, (perDomain.get(r.owner!.domain) ?? 0) + 1);
      rocvasAtOnce = Math.max(rocvasAtOnce, ...perDomain.values(), 0);
      await sleep(300); // timed on purpose: the sampling interval
    }
  })();

  // --- phase 1: a burst, all at once
  const burstStarted = Date.now();
  const burst: Promise<string>[] = [];
  for (let i = 0; i < BURST; i++) {
    const r = rand();
    if (r < 0.05) burst.push(restore());
    else if (r < 0.15) burst.push(publish('failover', { domain: `nowhere-${i}` }));
    else if (r < 0.2) burst.push(publish('restore', { domain: pick(DOMAINS), vms: ['a'], rename: { zz: 'x' } }));
    else burst.push(publish(pick(['failover', 'restore', 'test-failover'] as const), { domain: pick(DOMAINS), vms: ['a'], dryRun: true }));
  }
  const burstIds = await Promise.all(burst);
  const answered = (id: string) => {
    const keys = byCommand.get(id);
    return !!keys && ['command.rejected', 'task.planned', 'task.accepted'].some((k) => keys.has(k));
  };
  // counted after, answered or not: the table says how many were
  await waitUntil('the burst answered', () => burstIds.every(answered), 180_000, 200).catch(() => undefined);
  const burstAnswered = burstIds.filter(answered).length;
  log(
    `burst: ${burstAnswered}/${BURST} answered in ${((Date.now() - burstStarted) / 1000).toFixed(1)}s; planner RSS peak ${(plannerRss / MiB).toFixed(0)} MiB`,
  );

  // --- phase 2: a mix of every operation under faults
  const faultsDone = runFaults({ durationMs: DURATION_MS, outages: plane.outages, services, start, log, pick, between });

  let continuous: string | null = null;
  const mixEnd = Date.now() + DURATION_MS;
  while (Date.now() < mixEnd) {
    const r = rand();
    if (r < 0.3) await restore();
    else if (r < 0.5) await publish('test-failover', { domain: pick(DOMAINS), ttl: Math.round(between(3, 10)) });
    else if (r < 0.6) {
      // a race on one domain: everything at once, the conflicts refused up front
      await Promise.all([
        publish('failover', { domain: 'd0' }),
        publish('failover', { domain: 'd0', vms: ['a'] }),
        publish('test-failover', { domain: 'd0', ttl: 5 }),
        publish('test-failover', { domain: 'd0', vms: ['b'], ttl: 5 }),
        restore('d0'),
        restore('d0'),
        publish('restore', { domain: 'd0', vms: ['a'], rename: { a: 'd0-contested' }, replace: true }),
        publish('restore', { domain: 'd0', vms: ['a'], rename: { a: 'd0-contested' }, replace: true }),
      ]);
    } else if (r < 0.68 && readyTests.length) await publish('test-cleanup', { taskId: readyTests.shift()! });
    else if (r < 0.72 && running.size) await publish('cancel', { taskId: pick([...running]) });
    else if (r < 0.8) {
      if (!continuous) continuous = await publish('continuous-failover', { domain: 'd3', vms: ['b'] });
      else if (taskOf.get(continuous) && running.has(taskOf.get(continuous)!)) {
        await publish('failover', { domain: 'd3', taskId: taskOf.get(continuous) });
        continuous = null;
      } else continuous = null;
    } else if (r < 0.85) await cycle.step().catch((err) => log(`planned cycle: ${err.message}`));
    else if (r < 0.9)
      await publish(pick(['failover', 'restore', 'test-failover'] as const), { domain: pick(DOMAINS), vms: ['b'], dryRun: true });
    else await publish('failover', { domain: pick(['nowhere', 'd1']), vms: ['zz'] });
    await sleep(between(400, 1200)); // timed on purpose: the pace of the mix
  }
  await faultsDone;
  log('faults over; waiting for quiescence');
  // a continuous failover still in standby is cut over, so that every task can end
  for (const s of sent.values()) {
    const t = taskOf.get(s.id);
    if (s.op === 'continuous-failover' && t && running.has(t)) await publish('failover', { domain: 'd3', taskId: t });
  }
  const quiescent = () =>
    [...sent.values()].every((s) => answered(s.id) || isControl(s)) && [...taskOf.values()].every((t) => !running.has(t));
  // what is not quiet by then is counted in the table (lost, not ended)
  await waitUntil('every command answered and every task ended', quiescent, 300_000, 1000).catch(() => undefined);
  await Promise.allSettled(checks);
  // the janitor's sweep removes what a killed process left behind
  let temporaries = await platform.listVms().then((vms) => vms.filter((v) => v.owner && v.owner.kind !== 'recovered'));
  const swept = async () =>
    (temporaries = await platform.listVms().then((vms) => vms.filter((v) => v.owner && v.owner.kind !== 'recovered'))).length === 0;
  await waitUntil('the sweep removed what killed processes left', swept, 60_000, 2000).catch(() => undefined);
  sampling = false;
  await sampler;

  // --- the table
  const live = await new TaskStore(client).liveIds();
  const { rows, failures, ratio } = tableOf({
    seed,
    sent: [...sent.values()],
    byCommand,
    answered,
    isControl,
    reasonOf: (id, key) => reasonOf(observer, id, key),
    burst: { answered: burstAnswered, of: BURST },
    live: live.length,
    temporaries: temporaries.length,
    rocvasAtOnce,
    wrongDisks: wrongDisks.length,
    plannerRssMiB: plannerRss / MiB,
  });
  console.log('\n| figure | value |\n|---|---|');
  for (const [k, v] of rows) console.log(`| ${k} | ${v} |`);
  console.log(`\ncompleted (or cancelled as asked) / accepted: ${(ratio * 100).toFixed(1)}%`);
  plane.primaryLosses.forEach((_, i) =>
    console.log(`redis primary loss ${i + 1}: first task move ${((firstMoveAfterLoss[i] ?? NaN) / 1000).toFixed(1)}s after it`),
  );
  for (const w of wrongDisks) console.log(`wrong disk: ${w}`);
  for (const t of temporaries) console.log(`temporary left: ${t.site}/${t.name} (${t.owner?.kind}, task ${t.owner?.taskId})`);

  await observer.close();
  await bus.close();
  for (const s of services) s.child.kill('SIGKILL');
  client.disconnect();
  await plane.stop();
  if (failures.length) console.log(`\nCHAOS FAILED: ${failures.join('; ')} (logs in ${dir}/logs)`);
  else {
    console.log('\nchaos passed');
    if (!process.env.KEEP_CHAOS_DATA) rmSync(dir, { recursive: true, force: true });
  }
  return failures.length ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  async (err) => {
    console.error(err);
    await abandon();
    process.exit(1);
  },
);
