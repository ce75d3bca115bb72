import { Command } from 'commander';
import { CliContext } from '../context';
import { CliError } from '../cli-error';
import { wholeNumber } from '../parse';
import { printJson, printTable, say } from '../output';
import { assertSite } from './site';
import { vmsDeleteCommand } from './vms-delete';

/** `jssctl vms`: the platform's VMs (contract shape with --json). */
export function vmsCommand(ctx: CliContext): Command {
  return new Command('vms')
    .description("list the platform's VMs; `vms delete <name>` removes one the system recovered")
    .enablePositionalOptions()
    .option('--site <name>', 'only this site')
    .option('--json', 'print JSON')
    .addCommand(vmsDeleteCommand(ctx))
    .action(async (o) => {
      if (o.site) await assertSite(ctx, o.site);
      const vms = await (await ctx.platform()).listVms(o.site ? { site: o.site } : {});
      if (o.json) {
        return printJson(
          vms.map((v) => ({
            name: v.name,
            site: v.site,
            powerState: v.powerState,
            disks: v.disks.map((d) => ({ path: d.path, sizeBytes: d.sizeBytes })),
            nics: v.nics.map((n) => ({ network: n.network, ip: n.ip })),
            owner: v.owner && { taskId: v.owner.taskId, kind: v.owner.kind },
          })),
        );
      }
      printTable(
        vms.map((v) => ({
          name: v.name,
          site: v.site,
          power: v.powerState,
          ip: v.nics.map((n) => n.ip ?? '-').join(','),
          disks: v.disks.length,
          kind: v.owner?.kind ?? '-',
          task: v.owner?.taskId ?? '-',
        })),
      );
    });
}

/** The VMs of a task in a table cell: a task of thousands names a few and counts the rest. */
const vmsCell = (vms: string[]) => (vms.length <= 3 ? vms.join(',') : `${vms.slice(0, 3).join(',')},… (${vms.length} VMs)`);

/** `jssctl tasks [show <id>]`: tasks newest first, or one task in full. */
export function tasksCommand(ctx: CliContext): Command {
  const tasks = new Command('tasks')
    .description('list recovery tasks, newest first; `tasks show <id>` shows one')
    .enablePositionalOptions()
    .option('--json', 'print JSON')
    .option('--limit <n>', 'at most this many', wholeNumber('--limit', 1), 50)
    .action(async (o) => {
      const all = await (await ctx.tasks()).list(o.limit);
      if (o.json) return printJson(all.map(({ layout: _l, jobs: _j, report: _r, ...t }) => t));
      printTable(
        all.map((t) => ({
          id: t.id,
          operation: t.operation,
          domain: t.domain,
          state: t.state,
          vms: vmsCell(t.vms),
          created: t.createdAt,
          reason: t.error?.reason ?? '',
        })),
      );
    });
  tasks
    .command('show')
    .argument('<taskId>')
    .description('one task: its state, VMs and report (--json: the whole record)')
    .option('--json', 'print JSON')
    .action(async (id: string, o) => {
      const t = await (await ctx.tasks()).get(id);
      if (!t) throw new CliError(`no task ${id}`);
      if (o.json) return printJson(t);
      say(`${t.id}  ${t.operation} of ${t.domain}  ${t.state}${t.error ? ` (${t.error.reason}: ${t.error.message})` : ''}`);
      say(`point ${t.point.id} (${t.point.time}) → ${t.target.site}/${t.target.cluster}/${t.target.datastore}/${t.target.network}`);
      say(`created ${t.createdAt}${t.endedAt ? `, ended ${t.endedAt}` : ''}`);
      const r = t.report;
      if (!r) return;
      say(
        `report: ${r.outcome}, RTO ${r.rtoSeconds === null ? '-' : `${r.rtoSeconds.toFixed(1)}s`}, duration ${r.durationSeconds.toFixed(1)}s`,
      );
      printTable(
        r.vms.map((v) => ({
          vm: v.name,
          bytes: v.bytes,
          read: v.bytesRead,
          blocksRead: v.blocksRead,
          skippedZero: v.blocksSkippedZero,
          skippedUnchanged: v.blocksSkippedUnchanged,
          rehydration: `${v.rehydrationSeconds.toFixed(2)}s`,
          powerOn: v.powerOnSeconds === null ? '-' : `${v.powerOnSeconds.toFixed(2)}s`,
        })),
      );
      if (!r.plan) return;
      say(`recovery plan version ${r.plan.version}:`);
      printTable(
        r.plan.steps.map((s) => ({
          step: s.stepId,
          kind: s.kind,
          status: `${s.status}${s.timedOut ? ' (timed out)' : ''}${s.continued ? ' (continued)' : ''}`,
          started: s.startedAt ?? '-',
          ended: s.endedAt ?? '-',
          message: s.message ?? '',
        })),
      );
    });
  return tasks;
}
