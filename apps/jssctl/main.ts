#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { CliError } from './src/cli-error';
import { recoveryCommands } from './src/commands/recovery';
import { replicaCommand } from './src/commands/replica';
import { siteCommand, tasksCommand, vmsCommand } from './src/commands/listings';
import { demoCommand } from './src/commands/demo';
import { CliContext } from './src/context';

async function main(): Promise<number> {
  const ctx = new CliContext();
  const program = new Command('jssctl')
    .description('JSS Recovery Services: publish recovery commands and follow them; list tasks, VMs and recovery points')
    .exitOverride()
    .configureOutput({ outputError: (s, write) => write(s.split('\n')[0] + '\n') });
  for (const cmd of [
    ...recoveryCommands(ctx),
    tasksCommand(ctx),
    vmsCommand(ctx),
    replicaCommand(ctx),
    siteCommand(ctx),
    demoCommand(ctx),
  ]) {
    program.addCommand(cmd.exitOverride());
  }
  try {
    await program.parseAsync(process.argv);
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode;
    console.error(`jssctl: ${err instanceof Error ? err.message : String(err)}`);
    return err instanceof CliError ? err.exitCode : 1;
  } finally {
    await ctx.close();
  }
}

void main().then((code) => process.exit(code));
