// A ```console block: `$ command` lines, each followed by the output it should print. In an expected
// line, `…` stands for any text and a run of spaces for any run of spaces (table columns); a line
// that is only `…` stands for any number of lines.

export interface ConsoleStep {
  command: string;
  expected: string[];
}

export function splitConsole(body: string): ConsoleStep[] {
  const steps: ConsoleStep[] = [];
  for (const line of body.split('\n')) {
    if (line.startsWith('$ ')) steps.push({ command: line.slice(2), expected: [] });
    else if (steps.length) steps[steps.length - 1].expected.push(line);
    else throw new Error(`a console block starts with "$ <command>", not: ${line}`);
  }
  for (const s of steps) while (s.expected.length && s.expected[s.expected.length - 1].trim() === '') s.expected.pop();
  return steps;
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function linePattern(expected: string): RegExp {
  const body = expected
    .trimEnd()
    .split('…')
    .map((part) => escape(part).replace(/ +/g, '\\s+'))
    .join('.*');
  return new RegExp(`^${body}$`);
}

export function matchesConsole(expected: string[], output: string): boolean {
  const lines = output.split('\n').map((l) => l.trimEnd());
  while (lines.length && lines[lines.length - 1] === '') lines.pop();
  const patterns = expected.map((e) => (e.trim() === '…' ? null : linePattern(e)));
  const memo = new Map<string, boolean>();
  const match = (i: number, j: number): boolean => {
    const key = `${i},${j}`;
    if (memo.has(key)) return memo.get(key)!;
    let ok: boolean;
    if (i === patterns.length) ok = j === lines.length;
    else if (patterns[i] === null) ok = match(i + 1, j) || (j < lines.length && match(i, j + 1));
    else ok = j < lines.length && patterns[i]!.test(lines[j]) && match(i + 1, j + 1);
    memo.set(key, ok);
    return ok;
  };
  return match(0, 0);
}
