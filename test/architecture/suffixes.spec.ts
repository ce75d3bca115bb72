import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');

/** Every .ts file under a folder, relative to the repository. */
function sources(dir: string): string[] {
  return readdirSync(path.join(ROOT, dir), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts'))
    .map((f) => path.join(dir, f));
}

/** The suffixes docs/architecture.md lists in its "File suffixes" table. */
function documentedSuffixes(): Set<string> {
  const doc = readFileSync(path.join(ROOT, 'docs/architecture.md'), 'utf8');
  const table = doc.slice(doc.indexOf('## File suffixes'));
  return new Set([...table.matchAll(/`\*\.([a-z-]+)\.ts`/g)].map((m) => m[1]));
}

describe('file suffixes (docs/architecture.md)', () => {
  it('every double suffix under apps/ and libs/ is one the architecture doc lists, and each listed one is used', () => {
    const listed = documentedSuffixes();
    const used = new Map<string, string>();
    for (const file of [...sources('apps'), ...sources('libs')]) {
      const m = /^[^.]+\.([a-z-]+)\.ts$/.exec(path.basename(file));
      if (m) used.set(m[1], file);
    }
    const unlisted = [...used].filter(([suffix]) => !listed.has(suffix)).map(([s, f]) => `*.${s}.ts (${f})`);
    expect(unlisted).toEqual([]);
    expect([...listed].filter((s) => !used.has(s) && s !== 'e2e-spec')).toEqual([]);
  });
});
