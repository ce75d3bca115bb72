import { execFileSync } from 'node:child_process';
import path from 'node:path';

export const ROOT = path.resolve(__dirname, '..', '..', '..');
export const OPS = path.join(ROOT, 'ops');

/** promtool, prometheus, docker-compose and kubectl, installed when missing (scripts/install-ops-tools.sh). */
export function ensureOpsTools(): void {
  execFileSync('bash', [path.join(ROOT, 'scripts', 'install-ops-tools.sh')], { stdio: 'pipe' });
}

/** Runs a tool; resolves to its output, or throws with its output in the message. */
export function run(cmd: string, args: string[], opts: { cwd?: string } = {}): string {
  try {
    return execFileSync(cmd, args, { cwd: opts.cwd ?? ROOT, encoding: 'utf8', stdio: 'pipe' });
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${cmd} ${args.join(' ')} failed:\n${e.stdout ?? ''}${e.stderr ?? e.message}`);
  }
}
