import { existsSync } from 'node:fs';
import { Command, Option } from 'commander';
import { GeneratedContent, ImageSource, VmImage, parseSize } from '@jss/replica';
import { CliError } from '../cli-error';
import { CliContext } from '../context';
import { printJson, printTable, say } from '../output';
import { wholeNumber } from '../parse';
import { pointsCommand, scanSettingsCommand } from './replica-scans';

/** `--vm web=./web.img` (an image file) or `--vm web:1GiB` (generated data, seeded). */
export function parseVmSpec(spec: string, seed: number, content?: GeneratedContent): VmImage {
  const file = /^([^=:]+)=(.+)$/.exec(spec);
  if (file && !existsSync(file[2]))
    throw new CliError(`invalid --vm "${spec}": no image file ${file[2]} (or give a size of generated data, e.g. ${file[1]}:1GiB)`);
  if (file) return { name: file[1], source: { file: file[2] } };
  const gen = /^([^=:]+):(.+)$/.exec(spec);
  if (gen) return { name: gen[1], source: { sizeBytes: parseSize(gen[2]), seed, ...(content && { content }) } satisfies ImageSource };
  throw new CliError(`invalid --vm "${spec}": use <name>=<image file> or <name>:<size>, e.g. web=./web.img or db:1GiB`);
}

const collect = (v: string, all: string[]) => [...all, v];

/** <domain> and the VMs to write: --vm (repeatable) and --seed of generated data. */
const withVms = (cmd: Command) =>
  cmd
    .argument('<domain>')
    .requiredOption('--vm <spec>', 'name=image-file or name:size (repeatable)', collect, [])
    .option('--seed <n>', 'seed of generated data', wholeNumber('--seed'), 1)
    .addOption(
      new Option('--content <kind>', 'generated data: mixed (random, text and zero blocks) or structured (low-entropy records)')
        .choices(['mixed', 'structured'])
        .default('mixed'),
    );

/** `jssctl replica ...`: the replication side of the embedded defaults (a stand-in for the real one). */
export function replicaCommand(ctx: CliContext): Command {
  const replica = new Command('replica').description("write and list a protected domain's recovery points");
  withVms(replica.command('write'))
    .description('write a new recovery point of a domain (created the first time) from image files or generated data')
    .option('--block-size <size>', 'block size of a new domain (default 1MiB)')
    .option('--json', 'print the manifest summary as JSON')
    .action(async (domain: string, o) => {
      const vms = (o.vm as string[]).map((s) => parseVmSpec(s, o.seed, o.content));
      const blockSize = o.blockSize ? parseSize(o.blockSize) : undefined;
      const m = await ctx.writer().writePoint(domain, vms, { blockSize });
      await ctx.announce(m);
      const summary = { id: m.id, time: m.time, vms: m.vms.map((v) => v.name) };
      if (o.json) return printJson(summary);
      say(`domain ${domain}: recovery point ${m.id} (${summary.vms.join(', ')})`);
    });
  withVms(replica.command('protect'))
    .description('create the protected VMs of a domain at the primary site (disks from images or generated data) and replicate them')
    .action(async (domain: string, o) => {
      const m = await (
        await ctx.protection()
      ).protect(
        domain,
        (o.vm as string[]).map((s) => parseVmSpec(s, o.seed, o.content)),
      );
      await ctx.announce(m);
      say(`domain ${domain}: VMs ${m.vms.map((v) => v.name).join(', ')} at site ${m.site}; recovery point ${m.id}`);
    });
  replica
    .command('sync')
    .description("a new recovery point from the current disks of the domain's VMs at a site")
    .argument('<domain>')
    .option('--site <name>', 'where the VMs run now (recovery after a failover, to protect them back)', 'primary')
    .action(async (domain: string, o) => {
      if (!(await ctx.replica().getDomain(domain))) throw new CliError(`unknown domain "${domain}"`);
      const m = await (await ctx.protection()).replicate(domain, o.site);
      await ctx.announce(m);
      say(`domain ${domain}: recovery point ${m.id} from site ${m.site}`);
    });
  replica
    .command('snapshot')
    .description('write a newer recovery point with a share of blocks changed')
    .argument('<domain>')
    .requiredOption('--change <percent>', 'share of blocks changed, 0-100', (v) => Number(v))
    .option('--seed <n>', 'seed of the changes', wholeNumber('--seed'), Date.now() % 1e9)
    .addOption(
      new Option('--content <kind>', 'what the changed blocks hold: random bytes (as encryption writes) or structured low-entropy data')
        .choices(['random', 'structured'])
        .default('random'),
    )
    .action(async (domain: string, o) => {
      if (!(await ctx.replica().getDomain(domain))) throw new CliError(`unknown domain "${domain}"`);
      const m = await ctx.writer().snapshot(domain, { changePercent: o.change, seed: o.seed, content: o.content });
      say(`domain ${domain}: recovery point ${m.id} (${o.change}% of blocks changed, ${o.content} content)`);
      await ctx.announce(m);
    });
  replica.addCommand(pointsCommand(ctx));
  replica.addCommand(scanSettingsCommand(ctx));
  replica
    .command('domains')
    .description('protected domains in the object store')
    .option('--json', 'print JSON')
    .action(async (o) => {
      const domains = await ctx.replica().listDomains();
      if (o.json) return printJson(domains);
      printTable(domains.map((d) => ({ domain: d })));
    });
  return replica;
}
