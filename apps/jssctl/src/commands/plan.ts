import { readFile } from 'node:fs/promises';
import { Command } from 'commander';
import { parse } from 'yaml';
import { WRITTEN_STEP_KINDS } from '@jss/contract';
import { CliError } from '../cli-error';
import { CliContext } from '../context';
import { publishAndFollow } from '../follow';
import { printJson, say } from '../output';
import { positiveSeconds, wholeNumber } from '../parse';

/** `jssctl plan apply <file>` and `jssctl plan show <domain>`: a domain's recovery plan, through the planner (authorised there). */
export function planCommand(ctx: CliContext): Command {
  const timeout = ['--timeout <seconds>', "how long to wait for the planner's answer", positiveSeconds('--timeout'), 30] as const;
  const apply = new Command('apply')
    .description('store a new version of the recovery plan of the domain the file names; refused with the line at fault')
    .argument('<file>', 'the plan (YAML)')
    .option('--dry-run', 'only check the plan against the domain; nothing is stored')
    .option('--json', 'print the answer as JSON')
    .option(...timeout)
    .action(async (file: string, o) => {
      const document = await readFile(file, 'utf8').catch(() => {
        throw new CliError(`cannot read ${file}`);
      });
      const domain = domainOf(document, file);
      const body = { domain, document, ...(o.dryRun && { dryRun: true }) };
      const { applied } = await publishAndFollow(await ctx.bus(), 'plan-apply', body, { wait: false, timeoutSeconds: o.timeout });
      if (o.json) return printJson(applied);
      say(
        applied!.dryRun
          ? `${file}: a valid plan for domain ${domain} (${applied!.groups} group(s)); nothing was stored`
          : applied!.unchanged
            ? `recovery plan of domain ${domain}: unchanged, still version ${applied!.version} (${applied!.groups} group(s))`
            : `recovery plan of domain ${domain}: version ${applied!.version} (${applied!.groups} group(s))`,
      );
    });
  const show = new Command('show')
    .description("print a domain's recovery plan as applied (the newest version, or --version)")
    .argument('<domain>')
    .option('--version <n>', 'an older version', wholeNumber('--version', 1))
    .option('--json', 'print the answer as JSON')
    .option(...timeout)
    .action(async (domain: string, o) => {
      const body = { domain, ...(o.version && { version: o.version }) };
      const { shown } = await publishAndFollow(await ctx.bus(), 'plan-show', body, { wait: false, timeoutSeconds: o.timeout });
      if (o.json) return printJson(shown);
      say(
        `# domain ${shown!.domain}, version ${shown!.version} of ${shown!.versions}, applied by ${shown!.appliedBy} at ${shown!.appliedAt}`,
      );
      say(shown!.document.replace(/\n$/, ''));
    });
  return new Command('plan')
    .description(`a domain's recovery plan: ordered groups of VMs with delays and steps (${WRITTEN_STEP_KINDS.join(', ')})`)
    .enablePositionalOptions()
    .addCommand(apply)
    .addCommand(show);
}

/** The domain a plan file names (the planner checks the rest, with line numbers). */
function domainOf(document: string, file: string): string {
  let domain: unknown;
  try {
    domain = (parse(document) as { domain?: unknown } | null)?.domain;
  } catch (err) {
    throw new CliError(`${file}: not YAML: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
  }
  if (typeof domain !== 'string') throw new CliError(`${file}: the plan names no domain (a line "domain: <name>")`);
  return domain;
}
