import { Command } from 'commander';
import { Operation } from '@jss/contract';
import { CliError } from '../cli-error';
import { CliContext } from '../context';
import { Outcome, publishAndFollow } from '../follow';
import { forecastBasis, printJson, printTable, say } from '../output';
import { positiveSeconds, wholeNumber } from '../parse';

const list = (v: string) =>
  v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

/** `a=b,c=d` → {a: b, c: d} */
const pairs = (v: string) =>
  Object.fromEntries(
    list(v).map((p) => {
      const [k, val] = p.split('=');
      if (!k || !val) throw new CliError(`expected name=value pairs, got "${p}"`);
      return [k, val];
    }),
  );

/** `db;app,web@30` → [["db"], {vms: ["app", "web"], delaySeconds: 30}] */
const bootOrderOf = (v: string) =>
  v.split(';').map((group) => {
    const [names, delay] = group.split('@');
    if (delay === undefined) return list(names);
    if (!/^\d+$/.test(delay)) throw new CliError(`a boot-order delay is a number of seconds, got "@${delay}"`);
    return { vms: list(names), delaySeconds: Number(delay) };
  });

const seconds = (v: string) => {
  if (!/^\d+$/.test(v)) throw new CliError(`expected a number of seconds, got "${v}"`);
  return Number(v);
};

/** --commit manual | commit|rollback with --commit-after N */
const commitOf = (o: { commit?: string; commitAfter?: number }) => o.commit && defined({ policy: o.commit, afterSeconds: o.commitAfter });

/** Drops undefined fields so that the command body carries only what was given. */
const defined = <T extends object>(o: T): T => JSON.parse(JSON.stringify(o)) as T;

function withTarget(cmd: Command): Command {
  return cmd
    .option('--cluster <name>', 'target cluster')
    .option('--datastore <name>', 'target datastore')
    .option('--network <name>', 'target network')
    .option(
      '--point <id|time|last-clean>',
      'recovery point id, an ISO time (newest point at or before it), or last-clean (newest point whose VMs are all clean)',
    );
}

function withFollow(cmd: Command, dryRun = 'only answer what would be created and how long it would take'): Command {
  return cmd
    .option('--wait', 'follow the task with progress bars until it ends')
    .option('--dry-run', dryRun)
    .option('--json', 'print the outcome as JSON')
    .option('--timeout <seconds>', "how long to wait for the planner's answer", positiveSeconds('--timeout'), 30);
}

/** --no-plan: ignore the domain's recovery plan (the command carries plan: false) */
const withPlan = (cmd: Command) => cmd.option('--no-plan', "ignore the domain's recovery plan");
const planOf = (o: { plan?: boolean }) => (o.plan === false ? false : undefined);

const targetOf = (o: { cluster?: string; datastore?: string; network?: string }) => {
  const t = defined({ cluster: o.cluster, datastore: o.datastore, network: o.network });
  return Object.keys(t).length ? t : undefined;
};

interface FollowFlags {
  wait?: boolean;
  dryRun?: boolean;
  json?: boolean;
  timeout: number;
}

async function run(ctx: CliContext, op: Operation, data: object, o: FollowFlags, taskId?: string) {
  const started = Date.now();
  const body = defined({ ...data, dryRun: o.dryRun || undefined });
  const outcome = await publishAndFollow(await ctx.bus(), op, body, { wait: !!o.wait, quiet: !!o.json, taskId, timeoutSeconds: o.timeout });
  if (o.json) return printJson(outcome);
  printOutcome(op, outcome, (Date.now() - started) / 1000);
}

function printOutcome(op: Operation, outcome: Outcome, seconds: number) {
  const mib = (b: number) => `${(b / 2 ** 20).toFixed(1)} MiB`;
  if (outcome.planned) {
    const p = outcome.planned;
    if (op === 'cancel' || op === 'test-cleanup')
      return say(`dry run: ${op} would remove what task ${outcome.taskId} created for ${p.vms.join(', ')}; nothing was changed`);
    say(`dry run: ${p.operation} of ${p.domain} from ${p.recoveryPoint.id} to ${p.target.site}; nothing was changed`);
    for (const c of p.create) say(`  would create ${c.kind.padEnd(9)} ${c.name}`);
    const which = p.operation === 'failback' ? 'the changed non-zero blocks' : 'the non-zero blocks';
    say(`  ${mib(p.bytesToRehydrate)} to rehydrate, about ${p.estimatedSeconds}s`);
    if (p.bytesTotal > 0)
      say(
        `  (${which}, read from the store and written, of ${mib(p.bytesTotal)} of disks: zero blocks are skipped; a task's summary counts the disks' whole size)`,
      );
    if (p.forecast) say(`  forecast: ${forecastBasis(p.forecast)}`);
    return;
  }
  if (outcome.continued) return say(`task ${outcome.taskId}: approved; its recovery plan goes on`);
  if (outcome.cancelled) return say(`task ${outcome.taskId} cancelled; everything it created was removed`);
  if (outcome.rolledBack) return say(`task ${outcome.taskId} rolled back; the VMs it recovered were removed`);
  if (outcome.synced) {
    const s = outcome.synced;
    return say(
      `task ${outcome.taskId}: RVMs hold ${s.recoveryPoint.id} (lag ${s.lagSeconds.toFixed(0)}s); cut over with: jssctl failover <domain> --task ${outcome.taskId}`,
    );
  }
  const vms = outcome.completed?.vms ?? outcome.ready?.vms;
  if (!vms) return say(outcome.taskId);
  const until = outcome.ready?.expiresAt ? ` until ${outcome.ready.expiresAt}` : '';
  if (outcome.ready?.commit)
    say(
      `task ${outcome.taskId}: VMs up, waiting for commit or rollback (${outcome.ready.commit}${until}): jssctl commit|rollback ${outcome.taskId}`,
    );
  else if (outcome.ready) say(`task ${outcome.taskId}: test VMs up${until} (end with: jssctl test-cleanup ${outcome.taskId})`);
  else if (op === 'test-cleanup')
    // the VMs of a test-cleanup's answer are the Test VMs it has just removed
    return say(`task ${outcome.taskId}: ${vms.length} Test VM(s) removed (${vms.map((v) => v.name).join(', ')})`);
  else say(`task ${outcome.taskId} completed in ${seconds.toFixed(1)}s: ${vms.length} VM(s), ${mib(outcome.completed!.bytesTotal)}`);
  printTable(vms.map((vm) => ({ vm: vm.name, site: vm.site, ip: vm.ip ?? '-', power: 'poweredOn' })));
}

/** One verb per operation: publish the command, follow it (--wait), print what it did. */
export function recoveryCommands(ctx: CliContext): Command[] {
  const failover = withPlan(withFollow(withTarget(new Command('failover'))))
    .description('recover a protected domain (or some of its VMs) at the recovery site')
    .argument('<domain>', 'protected domain')
    .option('--vms <names>', 'only these VMs (comma-separated)', list)
    .option(
      '--boot-order <groups>',
      'groups powered on in order, each optionally @<seconds> after the one before, e.g. "db;app,web@30"',
      bootOrderOf,
    )
    .option('--map <vm=network[:ip]>', 'network (and static ip) of recovered VMs, e.g. web=dmz-net:10.9.0.5', pairs)
    .option('--task <taskId>', 'cut over this continuous failover (applies the newest point, then recovers)')
    .option('--commit <policy>', 'once the VMs are up, wait for commit or rollback: manual, or commit / rollback after --commit-after')
    .option('--commit-after <seconds>', 'commit or roll back by itself after this long', seconds)
    .option('--reprotect', 'once the VMs are up, protect them back into the object store from the recovery site (as jssctl reprotect)')
    .action((domain: string, o) => {
      if (o.task) return run(ctx, 'failover', { domain, taskId: o.task }, { ...o, wait: true }, o.task);
      const networkMap =
        o.map &&
        Object.fromEntries(
          Object.entries(o.map as Record<string, string>).map(([vm, v]) => [
            vm,
            defined({ network: v.split(':')[0], ip: v.split(':')[1] }),
          ]),
        );
      return run(
        ctx,
        'failover',
        {
          domain,
          vms: o.vms,
          recoveryPoint: o.point,
          target: targetOf(o),
          bootOrder: o.bootOrder,
          networkMap,
          commit: commitOf(o),
          plan: planOf(o),
          reprotect: o.reprotect,
        },
        o,
      );
    });
  const restore = withFollow(withTarget(new Command('restore')))
    .description('recover chosen VMs of a domain at a point in time to a chosen place')
    .argument('<domain>', 'protected domain')
    .requiredOption('--vms <names>', 'VMs to restore (comma-separated)', list)
    .option('--rename <vm=name>', 'restore under new names, e.g. web=web-restored', pairs)
    .option('--replace', 'replace an existing VM of the same name')
    .action((domain: string, o) =>
      run(ctx, 'restore', { domain, vms: o.vms, recoveryPoint: o.point, target: targetOf(o), rename: o.rename, replace: o.replace }, o),
    );
  const test = withPlan(withFollow(withTarget(new Command('test-failover'))))
    .description('create Test VMs on an isolated network from a recovery point; production is not touched')
    .argument('<domain>', 'protected domain')
    .option('--vms <names>', 'only these VMs (comma-separated)', list)
    .option('--ttl <seconds>', 'remove the Test VMs after this long', wholeNumber('--ttl', 1))
    .action((domain: string, o) =>
      run(ctx, 'test-failover', { domain, vms: o.vms, recoveryPoint: o.point, target: targetOf(o), ttl: o.ttl, plan: planOf(o) }, o),
    );
  const planned = withPlan(withFollow(withTarget(new Command('planned-failover'))))
    .description('primary site alive: power off the source VMs, take a final recovery point, fail over with no data loss')
    .argument('<domain>', 'protected domain')
    .option('--vms <names>', 'only these VMs (comma-separated)', list)
    .option('--commit <policy>', 'once the VMs are up, wait for commit or rollback: manual, or commit / rollback after --commit-after')
    .option('--commit-after <seconds>', 'commit or roll back by itself after this long', seconds)
    .option('--reprotect', 'once the VMs are up, protect them back into the object store from the recovery site (as jssctl reprotect)')
    .action((domain: string, o) =>
      run(
        ctx,
        'planned-failover',
        { domain, vms: o.vms, target: targetOf(o), commit: commitOf(o), plan: planOf(o), reprotect: o.reprotect },
        o,
      ),
    );
  const failback = withPlan(withFollow(new Command('failback')))
    .description('return recovered VMs to the original site from the replica written at the recovery site')
    .argument('<domain>', 'protected domain')
    .option('--vms <names>', 'only these VMs (comma-separated)', list)
    .action((domain: string, o) => run(ctx, 'failback', { domain, vms: o.vms, plan: planOf(o) }, o));
  const continuous = withFollow(withTarget(new Command('continuous-failover')))
    .description('keep RVMs rehydrated with every new recovery point until cut over (failover --task) or cancelled')
    .argument('<domain>', 'protected domain')
    .option('--vms <names>', 'only these VMs (comma-separated)', list)
    .action((domain: string, o) => run(ctx, 'continuous-failover', { domain, vms: o.vms, target: targetOf(o) }, o));
  const onTask = (name: 'cancel' | 'test-cleanup' | 'commit' | 'rollback' | 'plan-continue', description: string) =>
    withFollow(new Command(name), 'only answer what would be done')
      .description(description)
      .argument('<taskId>')
      // plan-continue is answered by its approve step completing, not by the task's end: no progress to show
      .action((taskId: string, o) => run(ctx, name, { taskId }, { ...o, wait: name !== 'plan-continue' }, taskId));
  return [
    failover,
    planned,
    continuous,
    failback,
    restore,
    test,
    onTask('test-cleanup', 'remove the Test VMs of a test failover'),
    onTask('cancel', 'stop a running task; everything it created is removed'),
    onTask('commit', 'keep what a failover waiting for its commit recovered; the task completes'),
    onTask('rollback', 'undo a failover waiting for its commit: its VMs are removed, source VMs of a planned failover on again'),
    onTask('plan-continue', 'a task paused at an approve step of its recovery plan goes on'),
  ];
}
