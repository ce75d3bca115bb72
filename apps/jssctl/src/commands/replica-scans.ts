import { Command, Option } from 'commander';
import { ZodError } from 'zod';
import { ScanSettings, ScanStore, verdictFor } from '@jss/scan';
import { CliError } from '../cli-error';
import { CliContext } from '../context';
import { printJson, printTable } from '../output';

/** `replica points <domain>`: each point with its scan verdict and, per VM, the figures that decided it. */
export function pointsCommand(ctx: CliContext): Command {
  return new Command('points')
    .description("a domain's recovery points, oldest first, with their scan verdicts")
    .argument('<domain>')
    .option('--json', "print JSON: [{id, time, vms, verdict, scan}] (scan: the stored verdict with each VM's figures, or null)")
    .action(async (domain: string, o) => {
      if (!(await ctx.replica().getDomain(domain))) throw new CliError(`unknown domain "${domain}"`);
      const scans = new ScanStore(ctx.store());
      const points = await ctx.replica().listPoints(domain);
      const rows = await Promise.all(
        points.map(async (p) => {
          const scan = await scans.verdict(domain, p.id);
          return { ...p, verdict: verdictFor(scan).verdict, scan };
        }),
      );
      if (o.json) return printJson(rows);
      printTable(
        rows.map((p) => ({
          id: p.id,
          time: p.time,
          vms: p.vms.join(','),
          verdict: p.verdict,
          why: (p.scan?.vms ?? [])
            .filter((v) => v.reason !== 'normal')
            .map((v) => `${v.name}: ${v.reason} (${v.figures.changedPercent}% changed, ${v.figures.turnedPercent}% of it turned random)`)
            .join('; '),
        })),
      );
    });
}

const SETTING_OPTIONS: Array<{ flag: string; key: keyof ScanSettings; text: string }> = [
  { flag: '--random-above <bits>', key: 'randomAbove', text: 'near-random from this entropy up (bits per byte, default 7.9)' },
  { flag: '--structured-below <bits>', key: 'structuredBelow', text: 'structured data below this entropy (default 7.0)' },
  { flag: '--min-turned-blocks <n>', key: 'minTurnedBlocks', text: 'blocks that must turn near-random (default 8)' },
  { flag: '--min-turned-percent <pct>', key: 'minTurnedPercent', text: 'share of the changed blocks that must turn (default 50)' },
  { flag: '--change-rate-factor <x>', key: 'changeRateFactor', text: "times the VM's median change (default 3)" },
  { flag: '--min-disk-percent <pct>', key: 'minDiskPercent', text: 'or: share of the whole VM that turned (default 10)' },
  { flag: '--history-points <n>', key: 'historyPoints', text: 'points the median change is taken over (default 10)' },
];

/** `replica scan-settings <domain>`: show, tune or disable the scanning of a domain's points. */
export function scanSettingsCommand(ctx: CliContext): Command {
  const cmd = new Command('scan-settings')
    .description("show or change how a domain's recovery points are scanned for ransomware (applies to points scanned from now on)")
    .argument('<domain>')
    .addOption(new Option('--disable', 'do not scan its points (last-clean is then refused)').conflicts('enable'))
    .option('--enable', 'scan its points again')
    .option('--reset', 'back to the defaults');
  for (const s of SETTING_OPTIONS) cmd.option(s.flag, s.text, Number);
  return cmd.option('--json', 'print JSON').action(async (domain: string, o) => {
    if (!(await ctx.replica().getDomain(domain))) throw new CliError(`unknown domain "${domain}"`);
    const scans = new ScanStore(ctx.store());
    const given = SETTING_OPTIONS.filter((s) => o[s.key] !== undefined);
    let settings = await scans.settings(domain);
    if (o.reset || o.disable || o.enable || given.length) {
      const next: Record<string, unknown> = o.reset ? {} : { ...settings };
      for (const s of given) next[s.key] = o[s.key];
      if (o.disable || o.enable) next.enabled = !!o.enable;
      try {
        settings = await scans.putSettings(domain, next);
      } catch (err) {
        if (err instanceof ZodError)
          throw new CliError(
            `invalid scan settings: ${err.issues.map((i) => `${i.path.join('.') || 'settings'}: ${i.message}`).join('; ')}`,
          );
        throw err;
      }
    }
    if (o.json) return printJson(settings);
    printTable(Object.entries(settings).map(([setting, value]) => ({ setting, value: String(value) })));
  });
}
