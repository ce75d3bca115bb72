import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Installation, JSSCTL, REPOSITORY_ROOT } from '@jss/testing';
import { Block, allPages } from './markdown';
import { matchesConsole, splitConsole } from './console';

// The docs run as written: the README's tour, then every page in the order of the README's map,
// each ```bash block and each `$ command` of a ```console block in one shell after the other, with
// jssctl on the PATH, against one installation like the demo's (plus the stand-in replicator).
// A block fails on a non-zero exit, a console command also on output that contradicts the page.
// Blocks marked `<!-- docs: not run: <why> -->` are skipped; `yaml <file>` blocks are saved as <file>.

const steps = allPages().flatMap((p) =>
  p.blocks.filter((b) => b.notRun === null && (['bash', 'console'].includes(b.lang) || (b.lang === 'yaml' && fileOf(b)))),
);

function fileOf(b: Block): string | undefined {
  return b.words.find((w) => /^[\w-]+\.ya?ml$/.test(w));
}

describe('the docs, run in order against one installation', () => {
  let inst: Installation;
  let cwd: string;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    inst = await Installation.start({ planner: 1, provisioner: 1, rehydrator: 1, janitor: 1, replicator: 1, scanner: 1 });
    cwd = path.join(inst.dataDir, 'reader');
    const bin = path.join(cwd, 'bin');
    mkdirSync(bin, { recursive: true });
    writeFileSync(path.join(bin, 'jssctl'), `#!/bin/sh\nexec "${process.execPath}" "${JSSCTL}" "$@"\n`);
    chmodSync(path.join(bin, 'jssctl'), 0o755);
    // the pages' commands run from the repository's folder (scripts/...); the files they write stay here
    symlinkSync(path.join(REPOSITORY_ROOT, 'scripts'), path.join(cwd, 'scripts'));
    env = { ...inst.env, PATH: `${bin}:${process.env.PATH}`, LOG_LEVEL: 'warn' };
  });
  afterAll(async () => {
    if (cwd) await shell('scripts/object-store.sh stop', cwd, env);
    await inst?.stop();
  });

  it.each(steps.map((b) => [`${b.file}:${b.line} (${b.lang})`, b] as const))('%s', async (_name, block) => {
    if (block.lang === 'yaml') return writeFileSync(path.join(cwd, fileOf(block)!), block.body + '\n');
    if (block.lang === 'bash') {
      const run = await shell(`set -eo pipefail\n${block.body}`, cwd, env);
      if (run.code !== 0) throw new Error(`exit ${run.code}\n${run.out}`);
      return;
    }
    for (const { command, expected } of splitConsole(block.body)) {
      const run = await shell(`set -o pipefail\n${command} 2>&1`, cwd, env);
      // an expected output that starts with the CLI's own prefix is a refusal: a non-zero exit
      const refusal = expected[0]?.startsWith('jssctl:') ?? false;
      if ((run.code !== 0) !== refusal) throw new Error(`$ ${command}\nexit ${run.code}\n${run.out}`);
      if (!matchesConsole(expected, run.out)) throw new Error(`$ ${command}\nexpected:\n${expected.join('\n')}\ngot:\n${run.out}`);
    }
  });
});

function shell(script: string, cwd: string, env: NodeJS.ProcessEnv): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    const child = spawn('bash', ['-c', script], { cwd, env });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('close', (code) => resolve({ code: code ?? -1, out }));
  });
}
