import { Command } from 'commander';
import { DrillStore } from '@jss/drills';
import { DomainOverview, DomainOverviews, ProtectionStore } from '@jss/protection';
import { PlanStore } from '@jss/recovery-plans';
import { CliError } from '../cli-error';
import { CliContext } from '../context';
import { publishAndFollow } from '../follow';
import { printJson, printTable, say } from '../output';
import { duration, positiveSeconds } from '../parse';

/** 45s, 12m, 5h, 3d */
export function ago(seconds: number): string {
  const s = Math.round(seconds);
  if (s < 90) return `${s}s`;
  if (s < 90 * 60) return `${Math.round(s / 60)}m`;
  if (s < 48 * 3600) return `${Math.round(s / 3600)}h`;
  return `${Math.round(s / 86_400)}d`;
}

/** `15m`, or `none` (removes the objective) */
const objective = (option: string) => (v: string) => (v === 'none' ? null : duration(option)(v));
const against = (value: number, objective: number | null, met: boolean | null) =>
  `${ago(value)} / ${objective === null ? '-' : ago(objective)}${met === false ? ' LATE' : ''}`;

/** One line of `jssctl domains`. */
function row(d: DomainOverview, now: number) {
  const p = d.protection;
  return {
    domain: d.domain,
    newest: d.newestPoint ? `${d.newestPoint.id} (${d.newestPoint.site})` : '-',
    'age/rpo': d.newestPoint ? against(d.newestPoint.ageSeconds, d.rpoSeconds, d.rpoMet) : '-',
    'runs at': d.runsAt,
    protection: p
      ? `${p.site} every ${ago(p.everySeconds)}, ${p.lastPointAt ? `last ${ago((now - Date.parse(p.lastPointAt)) / 1000)} ago` : 'no point yet'}${p.late ? ' LATE' : ''}`
      : '-',
    'last drill': d.lastDrill ? `${d.lastDrill.outcome} ${ago((now - Date.parse(d.lastDrill.endedAt)) / 1000)} ago` : '-',
    'rto forecast/objective': d.newestPoint ? against(d.forecast.seconds, d.rtoSeconds, d.rtoMet) : '-',
  };
}

async function publish(ctx: CliContext, op: 'reprotect' | 'domain-set', data: object, o: { json?: boolean; timeout: number }) {
  const body = JSON.parse(JSON.stringify(data)) as object;
  return publishAndFollow(await ctx.bus(), op, body, { wait: false, quiet: true, timeoutSeconds: o.timeout });
}

/** `jssctl domains`, `jssctl domain set`, `jssctl reprotect`: protection, objectives and where each domain stands. */
export function domainCommands(ctx: CliContext): Command[] {
  const domains = new Command('domains')
    .description('every protected domain: newest point against its RPO, where it runs, protection, last drill, forecast RTO')
    .option('--json', 'print the domains as JSON (with the forecast and what it rests on)')
    .action(async (o: { json?: boolean }) => {
      const redis = await ctx.redis();
      const overviews = new DomainOverviews(ctx.replica(), new ProtectionStore(redis), new DrillStore(redis), new PlanStore(redis));
      const now = Date.now();
      const all = await overviews.list(now);
      if (o.json) return printJson(all);
      printTable(
        all.map((d) => row(d, now)),
        '(no protected domain)',
      );
    });

  const domain = new Command('domain').description("a protected domain's objectives");
  domain
    .command('set')
    .description('set the RPO (newest point at most this old) and RTO (forecast recovery time) objectives of a domain')
    .argument('<domain>')
    .option('--rpo <duration|none>', 'RPO objective, e.g. 15m (none removes it)', objective('--rpo'))
    .option('--rto <duration|none>', 'RTO objective, e.g. 30m (none removes it)', objective('--rto'))
    .option('--dry-run', 'only check; nothing is stored')
    .option('--json', 'print the answer as JSON')
    .option('--timeout <seconds>', "how long to wait for the planner's answer", positiveSeconds('--timeout'), 30)
    .action(async (name: string, o) => {
      if (o.rpo === undefined && o.rto === undefined) throw new CliError('give --rpo, --rto or both');
      const { domain: d } = await publish(
        ctx,
        'domain-set',
        { domain: name, rpoSeconds: o.rpo, rtoSeconds: o.rto, dryRun: o.dryRun || undefined },
        o,
      );
      if (o.json) return printJson(d);
      const show = (s: number | null) => (s === null ? 'none' : ago(s));
      say(
        `${d!.dryRun ? 'dry run: would set' : 'set'} ${d!.domain}: RPO ${show(d!.rpoSeconds)}, RTO ${show(d!.rtoSeconds)} (by ${d!.updatedBy})`,
      );
    });

  const reprotect = new Command('reprotect')
    .description(
      'protect a failed-over domain back into the object store: a point of its VMs at the recovery site on a schedule, until failback',
    )
    .argument('<domain>')
    .option('--every <duration>', 'how often to take a point (default: a third of the RPO objective, 5m without one)', duration('--every'))
    .option('--dry-run', 'only check; nothing is stored')
    .option('--json', 'print the answer as JSON')
    .option('--timeout <seconds>', "how long to wait for the planner's answer", positiveSeconds('--timeout'), 30)
    .action(async (name: string, o) => {
      const { reprotect: r } = await publish(ctx, 'reprotect', { domain: name, every: o.every, dryRun: o.dryRun || undefined }, o);
      if (o.json) return printJson(r);
      say(
        `${r!.dryRun ? 'dry run: would re-protect' : 're-protecting'} ${r!.domain}: a point of its VMs at ${r!.site} every ${ago(r!.everySeconds)}`,
      );
    });
  return [domains, domain, reprotect];
}
