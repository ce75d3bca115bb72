import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';

// What the docs tests read of a Markdown page: its fenced blocks (with the info string's words and
// the `<!-- docs: not run: <why> -->` mark on the line before), its headings' anchors and its links.

export interface Block {
  /** relative to the repository, e.g. docs/operations.md */
  file: string;
  /** 1-based line of the opening fence */
  line: number;
  lang: string;
  /** the info string's words after the language, e.g. `json failover` → ['failover'] */
  words: string[];
  body: string;
  /** the reason given by a `<!-- docs: not run: ... -->` mark just before the block */
  notRun: string | null;
}

export interface Page {
  file: string;
  lines: string[];
  blocks: Block[];
  anchors: Set<string>;
  /** every link target outside code, with its line */
  links: Array<{ target: string; line: number }>;
}

/** The repository: test/docs/ is two floors down. */
export const REPOSITORY_ROOT = path.resolve(__dirname, '..', '..');

const NOT_RUN = /^<!-- docs: not run: (.+) -->$/;

/** GitHub's heading anchor: lower case, punctuation dropped, spaces to hyphens; repeats get -1, -2, ... */
export function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\- _]/gu, '')
    .replace(/ /g, '-');
}

export function readPage(file: string): Page {
  const lines = readFileSync(path.join(REPOSITORY_ROOT, file), 'utf8').split('\n');
  const page: Page = { file, lines, blocks: [], anchors: new Set(), links: [] };
  const seen = new Map<string, number>();
  let open: Block | null = null;
  let body: string[] = [];
  lines.forEach((text, i) => {
    const fence = /^```(.*)$/.exec(text);
    if (open) {
      if (fence && fence[1] === '') {
        page.blocks.push({ ...open, body: body.join('\n') });
        open = null;
      } else body.push(text);
      return;
    }
    if (fence) {
      const [lang = '', ...words] = fence[1].trim().split(/\s+/);
      const before =
        lines
          .slice(0, i)
          .reverse()
          .find((l) => l.trim() !== '') ?? '';
      open = { file, line: i + 1, lang, words, body: '', notRun: NOT_RUN.exec(before.trim())?.[1] ?? null };
      body = [];
      return;
    }
    const heading = /^#{1,6} (.+)$/.exec(text);
    if (heading) {
      const base = slug(heading[1]);
      const n = seen.get(base) ?? 0;
      seen.set(base, n + 1);
      page.anchors.add(n ? `${base}-${n}` : base);
    }
    const prose = text.replace(/`[^`]*`/g, '');
    for (const m of prose.matchAll(/\]\(([^)\s]+)\)/g)) page.links.push({ target: m[1], line: i + 1 });
  });
  return page;
}

/** README.md and every docs/*.md: README first, then the pages in the order of the README's map. */
export function allPages(): Page[] {
  const readme = readPage('README.md');
  const map = readme.lines.findIndex((l) => l.startsWith('## Map of'));
  const linked = readme.links
    .filter((l) => l.line > map)
    .map((l) => l.target.split('#')[0])
    .filter((t) => /^docs\/[^/]+\.md$/.test(t));
  const onDisk = readdirSync(path.join(REPOSITORY_ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`);
  const order = [...new Set([...linked.filter((f) => onDisk.includes(f)), ...onDisk.sort()])];
  return [readme, ...order.map(readPage)];
}

/** The JSON values of a block, one after the other (a block may hold several, one per command). */
export function jsonValues(body: string): unknown[] {
  const values: unknown[] = [];
  let depth = 0;
  let start = -1;
  let inString = false;
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{' || c === '[') {
      if (depth++ === 0) start = i;
    } else if (c === '}' || c === ']') {
      if (--depth === 0) values.push(JSON.parse(body.slice(start, i + 1)));
    }
  }
  if (depth !== 0) throw new Error('unbalanced JSON');
  return values;
}
