#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { CliError } from './src/cli-error';
import { planCommand } from './src/commands/plan';
import { recoveryCommands } from './src/commands/recovery';
import { replicaCommand } from './src/commands/replica';
import { tasksCommand, vmsCommand } from './src/commands/listings';
import { siteCommand } from './src/commands/site';
import { demoCommand } from './src/commands/demo';
import { drillCommand, drillsCommand } from './src/commands/drills';
import { domainCommands } from './src/commands/domains';
import { CliContext } from './src/context';
import { suggestSubcommands } from './src/did-you-mean';
import { printJson, sayError } from './src/output';

async function main(): Promise<number> {
  const ctx = new CliContext();
  const program = new Command('jssctl')
    .description('JSS Recovery Services: publish recovery commands and follow them; list tasks, VMs and recovery points')
    // a subcommand's options are its own: `tasks show <id> --json` is show's --json, not tasks'
    .enablePositionalOptions();
  for (const cmd of [
    ...recoveryCommands(ctx),
    planCommand(ctx),
    tasksCommand(ctx),
    vmsCommand(ctx),
    replicaCommand(ctx),
    siteCommand(ctx),
    drillCommand(ctx),
    drillsCommand(ctx),
    ...domainCommands(ctx),
    demoCommand(ctx),
  ]) {
    program.addCommand(cmd);
  }
  oneLineErrors(program);
  try {
    await program.parseAsync(process.argv);
    return 0;
  } catch (err) {
    const code = err instanceof CommanderError || err instanceof CliError ? err.exitCode : 1;
    if (!(err instanceof CommanderError)) sayError(`jssctl: ${err instanceof Error ? err.message : String(err)}`);
    // a script that asked for JSON gets the failure as JSON too, on stdout
    if (code !== 0 && process.argv.slice(2).includes('--json')) printJson(failureJson(err));
    return code;
  } finally {
    await ctx.close();
  }
}

/**
 * Every command, nested ones too: errors as one line (a "did you mean" suggestion joined to it), and
 * thrown instead of exiting so that the connections are closed.
 */
function oneLineErrors(cmd: Command): void {
  suggestSubcommands(cmd);
  cmd
    .exitOverride()
    .showSuggestionAfterError()
    .configureOutput({
      outputError: (s, write) =>
        write(
          `${s
            .trim()
            .replace(/^error: /, 'jssctl: ')
            .replace(/\s*\n\s*/g, ' ')}\n`,
        ),
    });
  for (const sub of cmd.commands) oneLineErrors(sub);
}

/** `{reason, message, ...}`: a refusal's reason code and what it concerns; `usage` for bad arguments. */
function failureJson(err: unknown): Record<string, unknown> {
  if (err instanceof CliError) return { ...err.details, message: (err.details.message as string | undefined) ?? err.message };
  if (err instanceof CommanderError) return { reason: 'usage', message: err.message.replace(/^error: /, '').replace(/\s*\n\s*/g, ' ') };
  return { reason: 'error', message: err instanceof Error ? err.message : String(err) };
}

// No process.exit() right after the output: a pipe's pending writes would be dropped. The process
// ends once stdout is written; should a stray handle keep it alive, exit when stdout has drained.
void main().then((code) => {
  process.exitCode = code;
  setTimeout(() => process.stdout.write('', () => process.exit()), 2000).unref();
});
