import { Command } from 'commander';
import { CliError } from './cli-error';

/** Edits (insert, delete, replace, swap two neighbours) from a to b. */
function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  return d[a.length][b.length];
}

/** The closest name within a few edits (as commander's own suggestions for top-level verbs and options). */
export function nearest(word: string, names: string[]): string | undefined {
  const scored = names.map((n) => ({ n, d: distance(word, n) })).filter(({ n, d }) => d <= Math.max(1, Math.floor(n.length / 3)));
  return scored.sort((x, y) => x.d - y.d)[0]?.n;
}

/**
 * A command that has sub-commands and an action of its own (`tasks`, `tasks show <id>`) would take a
 * mistyped sub-command for an extra argument and answer "too many arguments". Here it is named as
 * an unknown command, with the nearest sub-command.
 */
export function suggestSubcommands(cmd: Command): void {
  if (!cmd.commands.length) return;
  cmd.allowExcessArguments(true).hook('preAction', (_parent, action) => {
    if (action !== cmd || cmd.args.length <= cmd.registeredArguments.length) return;
    const word = cmd.args[cmd.registeredArguments.length];
    const near = nearest(
      word,
      cmd.commands.map((c) => c.name()),
    );
    throw new CliError(`unknown command '${word}' for '${cmd.name()}'${near ? ` (Did you mean ${near}?)` : ''}`, 1, {
      reason: 'usage',
    });
  });
}
