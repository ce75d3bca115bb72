import { Command } from 'commander';
import { CliContext } from '../context';
import { publishAndFollow } from '../follow';
import { printJson } from '../output';

const list = (v: string) => v.split(',').map((s) => s.trim()).filter(Boolean);

function target(o: { cluster?: string; datastore?: string; network?: string }) {
  const t = { cluster: o.cluster, datastore: o.datastore, network: o.network };
  return Object.values(t).some(Boolean) ? JSON.parse(JSON.stringify(t)) : undefined;
}

/** `jssctl failover <domain> --wait`: publish, follow with progress bars, print a summary. */
export function failoverCommand(ctx: CliContext): Command {
  return new Command('failover')
    .description('recover a protected domain (or some of its VMs) at the recovery site')
    .argument('<domain>', 'protected domain')
    .option('--vms <names>', 'only these VMs (comma-separated)', list)
    .option('--point <id|time>', 'recovery point id, or an ISO time (newest point at or before it)')
    .option('--cluster <name>', 'target cluster')
    .option('--datastore <name>', 'target datastore')
    .option('--network <name>', 'target network (must have DHCP)')
    .option('--wait', 'follow the task with progress bars until it ends')
    .option('--json', 'print the outcome as JSON')
    .action(async (domain: string, o) => {
      const data = JSON.parse(JSON.stringify({ domain, vms: o.vms, recoveryPoint: o.point, target: target(o) }));
      const started = Date.now();
      const outcome = await publishAndFollow(await ctx.bus(), 'failover', data, { wait: !!o.wait, quiet: !!o.json });
      if (o.json) return printJson(outcome);
      if (!outcome.completed) return console.log(outcome.taskId);
      const c = outcome.completed;
      const seconds = (Date.now() - started) / 1000;
      console.log(`task ${outcome.taskId} completed in ${seconds.toFixed(1)}s: ${c.vms.length} VM(s) recovered, ${(c.bytesTotal / 2 ** 20).toFixed(1)} MiB rehydrated`);
      for (const vm of c.vms) console.log(`  ${vm.name.padEnd(20)} ${vm.site.padEnd(10)} ${vm.ip ?? '-'}  poweredOn`);
    });
}
