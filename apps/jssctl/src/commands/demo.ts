import { Command } from 'commander';
import path from 'node:path';
import { CliContext } from '../context';
import { publishAndFollow } from '../follow';
import { printTable, say } from '../output';
import { parseVmSpec } from './replica';
import { RunningService, SERVICES, startService, stopService } from '@jss/processes';

const DEMO_DOMAIN = 'demo';
const DEMO_VMS = ['web:256MiB', 'db:512MiB'];
const FIRST_PORT = 9471;

/**
 * The seed's example end to end: starts the four services as child processes, writes a two-VM
 * domain if there is none, fails it over (one RocVA, two RVMs) with progress bars, lists the VMs.
 */
export function demoCommand(ctx: CliContext): Command {
  return new Command('demo')
    .description('start the services, seed a two-VM domain and fail it over with progress (the embedded defaults)')
    .option('--keep-running', 'leave the services running after the failover (Ctrl-C stops them)')
    .action(async (o) => {
      const logDir = path.join(ctx.env.JSS_DATA_DIR, 'logs');
      const running: RunningService[] = [];
      try {
        for (const [i, name] of SERVICES.entries()) running.push(await startService(name, FIRST_PORT + i, process.env, logDir));
        say(`services running (logs in ${logDir}): ${running.map((s) => `${s.name} :${s.port}`).join(', ')}`);
        await seedDomain(ctx);
        await removePreviousDemo(ctx);
        const started = Date.now();
        const outcome = await publishAndFollow(await ctx.bus(), 'failover', { domain: DEMO_DOMAIN }, { wait: true });
        const c = outcome.completed!;
        say(
          `failover of "${DEMO_DOMAIN}" completed in ${((Date.now() - started) / 1000).toFixed(1)}s: ${c.vms.length} VMs recovered, ${(c.bytesTotal / 2 ** 20).toFixed(0)} MiB rehydrated, temporaries removed`,
        );
        const platform = await ctx.platform();
        const vms = await platform.listVms({ site: 'recovery' });
        printTable(
          vms.map((v) => ({ name: v.name, site: v.site, power: v.powerState, ip: v.nics[0]?.ip ?? '-', kind: v.owner?.kind ?? '-' })),
        );
        const disk = vms.find((v) => v.owner?.kind === 'recovered')?.disks[0];
        if (disk && platform.diskFile)
          say(`the recovered VMs' disks are sparse image files in ${path.dirname(path.dirname(platform.diskFile(disk.path)))}/<vm>/`);
        if (o.keepRunning) {
          say('services keep running; try: jssctl tasks, jssctl vms (Ctrl-C stops them)');
          await new Promise<void>((resolve) => process.once('SIGINT', () => resolve()));
        }
      } finally {
        await Promise.all(running.map((s) => stopService(s)));
        if (running.length) say(`services stopped${o.keepRunning ? '' : ' (jssctl demo --keep-running leaves them running)'}`);
      }
    });
}

async function seedDomain(ctx: CliContext) {
  if (await ctx.replica().getDomain(DEMO_DOMAIN)) return;
  say(`writing domain "${DEMO_DOMAIN}" (${DEMO_VMS.join(', ')}, generated data) into ${ctx.env.JSS_DATA_DIR}/objects`);
  await ctx.writer().writePoint(
    DEMO_DOMAIN,
    DEMO_VMS.map((s) => parseVmSpec(s, 1)),
  );
}

/** Re-running the demo: the VMs the previous demo recovered are removed first (only those). */
async function removePreviousDemo(ctx: CliContext) {
  const platform = await ctx.platform();
  const previous = (await platform.listVms({ kind: 'recovered' })).filter((v) => v.owner?.domain === DEMO_DOMAIN);
  for (const vm of previous) await platform.deleteVm(vm.site, vm.name);
  if (previous.length) say(`removed ${previous.length} VM(s) recovered by a previous demo run`);
}
