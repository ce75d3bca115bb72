import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');
const DOC = readFileSync(path.join(ROOT, 'docs/architecture.md'), 'utf8');

/** Every source file under apps/, libs/ and scripts/ but the specs, relative to the repository. */
const SOURCES = ['apps', 'libs', 'scripts'].flatMap((dir) =>
  readdirSync(path.join(ROOT, dir), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts') && !/\.(spec|e2e-spec)\.ts$/.test(f) && !f.includes('node_modules'))
    .map((f) => path.join(dir, f)),
);

/** A "How to add …" section: its table's rows (file, name) and the patterns of the files that handle the closed set. */
function section(heading: string) {
  const start = DOC.indexOf(`### ${heading}\n`);
  if (start < 0) throw new Error(`docs/architecture.md has no "### ${heading}"`);
  const rest = DOC.slice(start + heading.length + 5);
  const text = rest.slice(0, rest.search(/\n##/) >>> 0);
  const naming = /those naming\s+([^]*?)\.\n/.exec(text)?.[1] ?? '';
  const patterns = [...naming.matchAll(/`([^`]+)`/g)].map((m) => m[1]);
  const rows = [...text.matchAll(/^\| `([^`]+)` +\| `([^`]+)` +\|/gm)].map((m) => ({ file: m[1], name: m[2] }));
  return { rows, patterns };
}

describe('docs/architecture.md, "How to add …": each list of files against the code', () => {
  it.each(['an operation', 'an object store', 'a plan-step kind'])('%s', (heading) => {
    const { rows, patterns } = section(heading);
    expect(rows.length).toBeGreaterThan(4);
    expect(patterns.length).toBeGreaterThan(0);
    // every file named exists and holds the name given with it
    const missing = rows.filter(
      ({ file, name }) => !existsSync(path.join(ROOT, file)) || !readFileSync(path.join(ROOT, file), 'utf8').includes(name),
    );
    expect(missing).toEqual([]);
    // every source file that handles the closed set is in the list
    const handling = SOURCES.filter((f) => patterns.some((p) => readFileSync(path.join(ROOT, f), 'utf8').includes(p)));
    const listed = new Set(rows.map((r) => r.file));
    expect(handling.filter((f) => !listed.has(f))).toEqual([]);
  });
});
