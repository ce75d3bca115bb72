import { writeFileSync } from 'node:fs';
import { Command } from 'commander';
import { Evidence, domainOfDrill, evidenceKeys, evidenceSchema, verifyEvidence } from '@jss/contract';
import { DrillStore } from '@jss/drills';
import { ObjectNotFoundError } from '@jss/store';
import { CliError } from '../cli-error';
import { CliContext } from '../context';
import { publishAndFollow } from '../follow';
import { formatSize, printJson, printTable, say } from '../output';
import { duration, positiveSeconds, wholeNumber } from '../parse';

const list = (v: string) =>
  v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
const seconds = (s: number | null) => (s === null ? '-' : `${s.toFixed(1)}s`);

async function publish(ctx: CliContext, op: 'drill-schedule' | 'drill-unschedule', data: object, o: { json?: boolean; timeout: number }) {
  const body = JSON.parse(JSON.stringify(data)) as object;
  const outcome = await publishAndFollow(await ctx.bus(), op, body, { wait: false, quiet: true, timeoutSeconds: o.timeout });
  if (o.json) return printJson(outcome.drillScheduled ?? { unscheduled: true, ...data });
  const s = outcome.drillScheduled;
  if (!s)
    return say(
      `${(data as { dryRun?: boolean }).dryRun ? 'dry run: would unschedule' : 'unscheduled'} the drills of ${(data as { domain: string }).domain}`,
    );
  say(
    `${s.dryRun ? 'dry run: would schedule' : 'scheduled'} a drill of ${s.domain} every ${s.every}, next at ${s.nextDueAt}` +
      ` (ttl ${s.ttl}s, RTO objective ${s.rtoObjectiveSeconds === null ? 'none' : `${s.rtoObjectiveSeconds}s`}, overdue after ${s.alertAfterSeconds}s), as ${s.scheduledBy}`,
  );
}

/** `jssctl drill schedule|unschedule|list`: the domains' drill schedules. */
export function drillCommand(ctx: CliContext): Command {
  const drill = new Command('drill').description('schedule recurring drills (test failover, checks, cleanup, evidence report)');
  drill
    .command('schedule')
    .description('store (or replace) the drill schedule of a domain')
    .argument('<domain>')
    .requiredOption(
      '--every <interval|cron>',
      'an interval (20s, 15m, 6h, 1d) or a cron expression in UTC ("0 3 * * *", six fields: seconds first)',
    )
    .option(
      '--ttl <duration>',
      "the drill's time limit: checks retried until then, Test VMs removed at the latest then (default 1h)",
      duration('--ttl'),
    )
    .option('--rto <duration>', 'RTO objective the report measures the drill against', duration('--rto'))
    .option(
      '--alert-after <duration>',
      'no passed drill for this long: overdue (default twice the period plus an hour)',
      duration('--alert-after'),
    )
    .option('--vms <names>', 'only these VMs (comma-separated)', list)
    .option('--network <name>', 'the isolated test network (default recovery-test-net)')
    .option('--point <last-clean>', 'last-clean: test the newest point whose VMs are all clean (default: the newest point)')
    .option('--dry-run', 'only check that the drill could run; nothing is stored')
    .option('--json', 'print the answer as JSON')
    .option('--timeout <seconds>', "how long to wait for the planner's answer", positiveSeconds('--timeout'), 30)
    .action((domain: string, o) =>
      publish(
        ctx,
        'drill-schedule',
        {
          domain,
          every: o.every,
          ttl: o.ttl,
          rtoObjectiveSeconds: o.rto,
          alertAfterSeconds: o.alertAfter,
          vms: o.vms,
          target: o.network ? { network: o.network } : undefined,
          recoveryPoint: o.point,
          dryRun: o.dryRun || undefined,
        },
        o,
      ),
    );
  drill
    .command('unschedule')
    .description('remove the drill schedule of a domain (a drill running goes on to its end)')
    .argument('<domain>')
    .option('--dry-run', 'only check')
    .option('--json', 'print the answer as JSON')
    .option('--timeout <seconds>', "how long to wait for the planner's answer", positiveSeconds('--timeout'), 30)
    .action((domain: string, o) => publish(ctx, 'drill-unschedule', { domain, dryRun: o.dryRun || undefined }, o));
  drill
    .command('list')
    .description('the drill schedules: next due time, last passed drill')
    .option('--json', 'print JSON')
    .action(async (o) => {
      const store = new DrillStore(await ctx.redis());
      const [schedules, passed] = await Promise.all([store.schedules(), store.lastPassed()]);
      const rows = schedules.map(({ schedule: s, nextDue }) => ({
        ...s,
        nextDueAt: new Date(nextDue).toISOString(),
        lastPassedAt: passed.has(s.domain) ? new Date(passed.get(s.domain)!).toISOString() : null,
      }));
      if (o.json) return printJson(rows);
      printTable(
        rows.map((r) => ({
          domain: r.domain,
          every: r.every,
          next: r.nextDueAt,
          lastPassed: r.lastPassedAt ?? '-',
          ttl: `${r.ttl}s`,
          rto: r.rtoObjectiveSeconds === null ? '-' : `${r.rtoObjectiveSeconds}s`,
          by: r.scheduledBy,
        })),
      );
    });
  return drill;
}

async function readEvidence(ctx: CliContext, id: string): Promise<Evidence> {
  const domain = domainOfDrill(id);
  if (!domain) throw new CliError(`"${id}" is not a drill id (drill-<domain>-<yyyymmddThhmmssZ>)`);
  try {
    const parsed = evidenceSchema.safeParse(JSON.parse((await ctx.store().get(evidenceKeys(domain, id).json)).toString('utf8')));
    if (!parsed.success) throw new CliError(`the evidence report of ${id} is not a valid report: ${parsed.error.issues[0].message}`);
    return parsed.data;
  } catch (err) {
    if (err instanceof ObjectNotFoundError) throw new CliError(`no evidence report of drill ${id}`);
    throw err;
  }
}

/** `jssctl drills <domain> | show <id> | verify <id>`: the evidence reports in the object store. */
export function drillsCommand(ctx: CliContext): Command {
  const drills = new Command('drills')
    .description("a domain's drill evidence reports, newest first; `drills show <id>` one of them, `drills verify <id>` its hash")
    .enablePositionalOptions()
    .argument('<domain>')
    .option('--limit <n>', 'at most this many', wholeNumber('--limit', 1), 20)
    .option('--json', 'print JSON')
    .action(async (domain: string, o) => {
      const ids = (await ctx.store().list(`${domain}/drills/`))
        .filter((k) => k.endsWith('.json'))
        .map((k) => k.slice(`${domain}/drills/`.length, -'.json'.length))
        .sort()
        .reverse()
        .slice(0, o.limit);
      const reports = await Promise.all(ids.map((id) => readEvidence(ctx, id)));
      if (o.json) return printJson(reports);
      printTable(
        reports.map((e) => ({
          id: e.id,
          outcome: e.outcome,
          due: e.schedule.dueAt,
          point: e.recoveryPoint?.id ?? '-',
          vms: e.vms.length,
          rto: seconds(e.rto.seconds),
          objective: e.rto.objectiveSeconds === null ? '-' : `${e.rto.objectiveSeconds}s`,
          reason: e.reason ?? '',
        })),
        `(no drill of ${domain} yet)`,
      );
    });
  drills
    .command('show')
    .argument('<id>')
    .description('one evidence report; --html <file> writes its page')
    .option('--html <file>', 'write the report’s HTML page to this file')
    .option('--json', 'print the report (JSON)')
    .action(async (id: string, o) => {
      const e = await readEvidence(ctx, id);
      if (o.html) {
        writeFileSync(o.html, await ctx.store().get(evidenceKeys(e.domain, id).html));
        if (!o.json) say(`wrote ${o.html}`);
      }
      if (o.json) return printJson(e);
      const check = verifyEvidence(e);
      say(`${e.id}  ${e.outcome}${e.reason ? ` (${e.reason}: ${e.message})` : ''}`);
      say(
        `domain ${e.domain}, point ${e.recoveryPoint ? `${e.recoveryPoint.id} (${e.recoveryPoint.time}${e.recoveryPoint.verdict ? `, ${e.recoveryPoint.verdict}` : ''})` : '-'}, task ${e.taskId ?? '-'}`,
      );
      say(`scheduled by ${e.schedule.scheduledBy} every ${e.schedule.every}; due ${e.schedule.dueAt}, ran ${e.startedAt} – ${e.endedAt}`);
      const objective = e.rto.objectiveSeconds === null ? 'no objective' : `objective ${e.rto.objectiveSeconds}s (${e.rto.objectiveFrom})`;
      say(
        `RTO ${seconds(e.rto.seconds)}, ${objective}${e.rto.met === null ? '' : e.rto.met ? ', met' : ', MISSED'}; ${formatSize(e.bytes.total)} of disks`,
      );
      printTable(
        e.vms.map((v) => ({
          vm: v.vm,
          testVm: v.name,
          ip: v.ip ?? '-',
          poweredOn: v.poweredOnAt ?? '-',
          checkPassed: v.checkPassedAt ?? '-',
          check: v.check,
        })),
      );
      say(`removed: ${e.removed.map((r) => `${r.name}${r.goneAt ? '' : ' (STILL PRESENT)'}`).join(', ') || '-'}`);
      say(`sha256 ${e.sha256} ${check.ok ? '(verified)' : `(DOES NOT MATCH: computed ${check.computed})`}`);
    });
  drills
    .command('verify')
    .argument('<id>')
    .description("recompute a report's sha256 (canonical JSON without the sha256 field); exit 1 when it does not match")
    .option('--sha256 <hex>', 'also compare with a hash kept elsewhere (e.g. from the drill.ended event)')
    .action(async (id: string, o) => {
      const check = verifyEvidence(await readEvidence(ctx, id));
      if (!check.ok)
        throw new CliError(`${id}: the report was changed: its sha256 field is ${check.stored}, its content hashes to ${check.computed}`);
      if (o.sha256 && o.sha256 !== check.computed)
        throw new CliError(`${id}: the report hashes to ${check.computed}, not to the given ${o.sha256}`);
      say(`${id}: sha256 ${check.computed} verified`);
    });
  return drills;
}
