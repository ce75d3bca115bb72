import { existsSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYamlText } from 'yaml';
import { EVENTS, OPERATIONS, Operation, REASONS, cloudEventSchema, commandDataSchemas } from '@jss/contract';
import { parsePlan } from '@jss/recovery-plans';
import { parseRoleMap } from '@jss/authz';
import { Block, REPOSITORY_ROOT, allPages, jsonValues } from './markdown';

// The docs as code, without running anything: links and anchors, sizes, every command example
// against the contract's schemas, every YAML example parsed and every plan checked against the
// example installation (domain shop: web, app, db). The runnable blocks: docs.e2e-spec.ts.

const pages = allPages();
const [readme] = pages;
const blocks = pages.flatMap((p) => p.blocks);
const where = (b: Block) => `${b.file}:${b.line}`;

/** The example installation every page uses. */
const EXAMPLE = {
  domain: 'shop',
  vms: new Set(['web', 'app', 'db']),
  /** the simulated recovery site's networks and their ranges */
  networks: new Map([
    ['recovery-net', '10.20.0.0/24'],
    ['recovery-test-net', '10.21.0.0/24'],
    ['recovery-static-net', '10.22.0.0/24'],
  ]),
};

describe('docs', () => {
  it('README.md is at most 200 lines and starts with the two commands; every page at most 400', () => {
    expect(readme.lines.length).toBeLessThanOrEqual(200);
    expect(readme.blocks[0].body).toMatch(/^npm run demo .*\nnpm ci && npm test .*$/);
    const long = pages.filter((p) => p.lines.length > 400).map((p) => `${p.file}: ${p.lines.length} lines`);
    expect(long).toEqual([]);
  });

  it('the README links every page of docs/', () => {
    const linked = new Set(readme.links.map((l) => l.target.split('#')[0]));
    expect(
      pages
        .slice(1)
        .filter((p) => !linked.has(p.file))
        .map((p) => p.file),
    ).toEqual([]);
  });

  it('every relative link and anchor resolves', () => {
    const byFile = new Map(pages.map((p) => [p.file, p]));
    const broken: string[] = [];
    for (const page of pages) {
      for (const { target, line } of page.links) {
        if (/^[a-z]+:/.test(target)) continue;
        const [file, anchor] = target.split('#');
        const resolved = file ? path.normalize(path.join(path.dirname(page.file), file)) : page.file;
        if (!existsSync(path.join(REPOSITORY_ROOT, resolved))) broken.push(`${page.file}:${line}: ${target} (no such file)`);
        else if (anchor && !byFile.get(resolved)?.anchors.has(anchor)) broken.push(`${page.file}:${line}: ${target} (no such anchor)`);
      }
    }
    expect(broken).toEqual([]);
  });

  it('every JSON block parses; every command in one validates against its schema in libs/contract', () => {
    const problems: string[] = [];
    let commands = 0;
    for (const b of blocks.filter((x) => x.lang === 'json')) {
      // `json <operation> ...` names the operation of each value in turn; `json event`, `json body`: not a command
      const values = jsonValues(b.body);
      if (!values.length) problems.push(`${where(b)}: no JSON value`);
      values.forEach((value, i) => {
        const envelope = cloudEventSchema.safeParse(value);
        const type = (value as { type?: string }).type;
        const op = (type?.startsWith('io.jss.recovery.') ? type.slice('io.jss.recovery.'.length) : b.words[i]) as Operation;
        if (['event', 'body'].includes(b.words[0])) return;
        if (!OPERATIONS.includes(op))
          return problems.push(`${where(b)}: value ${i + 1} names no operation (\`json <operation>\` or a type)`);
        if ((value as { specversion?: string }).specversion && !envelope.success)
          problems.push(`${where(b)}: envelope: ${envelope.error.message}`);
        const data = type ? (value as { data: unknown }).data : value;
        const checked = commandDataSchemas[op].safeParse(data);
        if (!checked.success)
          problems.push(`${where(b)}: ${op}: ${checked.error.issues.map((x) => `${x.path.join('.')}: ${x.message}`).join('; ')}`);
        commands++;
      });
    }
    expect(problems).toEqual([]);
    expect(commands).toBeGreaterThanOrEqual(15);
  });

  it('every YAML block parses; the plans validate against domain shop, the role maps load', async () => {
    const problems: string[] = [];
    const yamlBlocks = blocks.filter((b) => b.lang === 'yaml');
    const network = async (n: string) => (EXAMPLE.networks.has(n) ? { subnet: EXAMPLE.networks.get(n) } : null);
    const facts = { domain: EXAMPLE.domain, vms: EXAMPLE.vms, network };
    for (const b of yamlBlocks) {
      // `yaml <file> refused`: an example of a plan the planner refuses
      const refused = b.words.includes('refused');
      try {
        const doc = parseYamlText(b.body) as Record<string, unknown>;
        if ('groups' in doc) await parsePlan(b.body, facts);
        else if ('principals' in doc) parseRoleMap(b.body, where(b));
        if (refused) problems.push(`${where(b)}: marked refused, but the plan is accepted`);
      } catch (err) {
        if (!refused) problems.push(`${where(b)}: ${(err as Error).message}`);
      }
    }
    expect(problems).toEqual([]);
    expect(yamlBlocks.filter((b) => b.body.includes('groups:')).length).toBeGreaterThanOrEqual(1);
  });

  it('a block marked not run says why; the runnable blocks are bash or console', () => {
    const marked = blocks.filter((b) => b.notRun !== null);
    expect(marked.filter((b) => b.notRun!.trim().length < 10).map(where)).toEqual([]);
    expect(marked.filter((b) => !['bash', 'console'].includes(b.lang)).map(where)).toEqual([]);
  });
});

/** The contract's closed sets, each against the page that lists it. */
describe('docs/contract.md against libs/contract', () => {
  const contract = pages.find((p) => p.file === 'docs/contract.md')!.lines.join('\n');
  const inCode = (name: string) => contract.includes(`\`${name}\``);

  it('every event routing key is in the events table', () => {
    expect(Object.values(EVENTS).filter((e) => !inCode(e) && !contract.includes(` / \`${e}\``))).toEqual([]);
  });

  it('every reason code is listed', () => {
    const unlisted = Object.values(REASONS).filter((r) => !pages.some((p) => p.lines.join('\n').includes(`\`${r}\``)));
    expect(unlisted).toEqual([]);
  });

  it('every operation has a command example that validates (docs/operations.md and the pages after it)', () => {
    const shown = new Set(
      blocks
        .filter((b) => b.lang === 'json')
        .flatMap((b) => [...b.words, ...[...b.body.matchAll(/"io\.jss\.recovery\.([a-z-]+)"/g)].map((m) => m[1])]),
    );
    expect(OPERATIONS.filter((op) => !shown.has(op))).toEqual([]);
  });
});
