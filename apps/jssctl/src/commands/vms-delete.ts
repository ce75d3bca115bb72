import { randomUUID } from 'node:crypto';
import { Command } from 'commander';
import { Messenger } from '@jss/bus';
import { EVENTS } from '@jss/contract';
import { CliError } from '../cli-error';
import { CliContext } from '../context';
import { assertSite } from './site';
import { say } from '../output';

/**
 * `jssctl vms delete <name>`: removes a VM the system recovered (a failover's, restore's or
 * failback's result), its disks and leases, and publishes its vm.deleted like the services do.
 * Refused for a VM the system did not create and for a task's temporaries (the task removes those).
 */
export function vmsDeleteCommand(ctx: CliContext): Command {
  return new Command('delete')
    .description('delete a VM the system recovered (e.g. to run a failover again); refused for any other VM')
    .argument('<name>')
    .option('--site <name>', 'the site of the VM', 'recovery')
    .action(async (name: string, o: { site: string }) => {
      await assertSite(ctx, o.site);
      const platform = await ctx.platform();
      const vm = await platform.getVm(o.site, name);
      if (!vm) throw new CliError(`no VM "${name}" at site "${o.site}"`);
      const owner = vm.owner;
      if (!owner)
        throw new CliError(
          `VM "${name}" at site "${o.site}" was not created by JSS Recovery Services: jssctl deletes only VMs it recovered`,
        );
      if (owner.kind !== 'recovered')
        throw new CliError(
          `VM "${name}" is a temporary ${owner.kind} of task ${owner.taskId}: the task removes it (jssctl cancel or test-cleanup ${owner.taskId})`,
        );
      // connected before anything changes: an unreachable broker must not leave a deletion unannounced
      const messenger = new Messenger(await ctx.bus(), '/jssctl');
      if (!(await platform.deleteVm(o.site, name))) throw new CliError(`no VM "${name}" at site "${o.site}"`);
      // no command caused it: the id of this deletion stands in for one
      const cause = { taskId: owner.taskId, commandId: randomUUID() };
      await messenger.event(EVENTS.vmDeleted, cause, {
        ...cause,
        name,
        kind: owner.kind,
        site: o.site,
        domain: owner.domain,
        ip: vm.nics[0]?.ip ?? null,
      });
      say(`deleted VM ${name} at site ${o.site} (recovered from domain ${owner.domain} by task ${owner.taskId})`);
    });
}
