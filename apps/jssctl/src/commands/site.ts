import { Command } from 'commander';
import { SimPlatform } from '@jss/platform';
import { parseSize } from '@jss/replica';
import { CliError } from '../cli-error';
import { wholeNumber } from '../parse';
import { CliContext } from '../context';
import { formatSize, printJson, printTable, say } from '../output';

/** The simulated platform (the only one with an inventory to add to), with `site` known. */
async function simulated(ctx: CliContext, site: string): Promise<SimPlatform> {
  const p = await ctx.platform();
  if (!(p instanceof SimPlatform)) throw new CliError('only the simulated platform takes networks and datastores from jssctl');
  await assertSite(ctx, site);
  return p;
}

/** A CliError naming the sites there are when `site` is not one of them. */
export async function assertSite(ctx: CliContext, site: string): Promise<void> {
  const sites = (await (await ctx.platform()).listSites()).map((s) => s.name);
  if (!sites.includes(site)) throw new CliError(`unknown site "${site}" (sites: ${sites.join(', ')})`);
}

/** `jssctl site`: the simulated sites' clusters, datastores and networks, and adding to them. */
export function siteCommand(ctx: CliContext): Command {
  const site = new Command('site').description('the simulated platform: sites, clusters, datastores, networks');
  site
    .command('init')
    .description('seed the default sites (also done on first use)')
    .action(async () => {
      await ctx.platform();
      say('sites primary and recovery are ready');
    });
  site
    .command('show')
    .description('the clusters, datastores (capacity, free) and networks (DHCP, free addresses, range) of every site')
    .option('--json', 'print JSON (sizes in bytes)')
    .action(async (o) => {
      const p = await ctx.platform();
      const inventory = { clusters: await p.listClusters(), datastores: await p.listDatastores(), networks: await p.listNetworks() };
      if (o.json) return printJson(inventory);
      printTable(inventory.clusters.map((c) => ({ cluster: c.name, site: c.site })));
      say();
      printTable(
        inventory.datastores.map((d) => ({
          datastore: d.name,
          site: d.site,
          capacity: formatSize(d.capacityBytes),
          free: formatSize(d.freeBytes),
        })),
      );
      say();
      printTable(
        inventory.networks.map((n) => ({
          network: n.name,
          site: n.site,
          dhcp: n.dhcp ? 'yes' : 'no',
          isolated: n.isolated ? 'yes' : 'no',
          freeAddresses: n.dhcp ? n.freeAddresses : '-',
          subnet: n.subnet ?? '-',
        })),
      );
    });
  site
    .command('add-network')
    .description('add a network to a simulated site, e.g. a DHCP pool large enough for a big domain')
    .argument('<name>')
    .requiredOption('--site <name>', 'the site it belongs to')
    .option('--dhcp', 'hand out DHCP leases (otherwise VMs need static addresses)')
    .option('--pool <n>', 'DHCP addresses in the pool', wholeNumber('--pool'), 200)
    .option('--first-ip <address>', 'first address of the pool (default: .10 of --subnet, else the next free 172.16-31.x.10)')
    .option('--subnet <cidr>', "the network's range, e.g. 10.40.0.0/24 (static addresses must lie in it)")
    .option('--isolated', 'no route to production (for test failovers)')
    .action(async (name: string, o) => {
      const p = await simulated(ctx, o.site);
      const spec = { name, site: o.site, dhcp: !!o.dhcp, isolated: !!o.isolated, poolSize: o.pool, firstIp: o.firstIp, subnet: o.subnet };
      const n = await p.addNetwork(spec);
      const range = n.subnet ? ` in ${n.subnet}` : '';
      say(`network ${n.name} at site ${n.site}${range}: ${n.dhcp ? `DHCP, ${n.freeAddresses} addresses` : 'static addresses only'}`);
    });
  site
    .command('add-datastore')
    .description('add a datastore (a folder of sparse disk images) to a simulated site')
    .argument('<name>')
    .requiredOption('--site <name>', 'the site it belongs to')
    .option('--capacity <size>', 'capacity, e.g. 500GiB', '2TiB')
    .action(async (name: string, o) => {
      const p = await simulated(ctx, o.site);
      const d = await p.addDatastore({ name, site: o.site, capacityBytes: parseSize(o.capacity) });
      say(`datastore ${d.name} at site ${d.site}: ${formatSize(d.capacityBytes)}`);
    });
  return site;
}
