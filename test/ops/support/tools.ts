import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export const ROOT = path.resolve(__dirname, '..', '..', '..');
export const OPS = path.join(ROOT, 'ops');

/** promtool, prometheus and docker-compose from Debian's packages, installed when missing. */
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

export const RABBITMQ_METRICS_PORT = 15692;

/** The broker's rabbitmq_prometheus plugin (enabling it is online and idempotent). */
export async function ensureRabbitmqPrometheus(): Promise<void> {
  const answers = () => fetch(`http://127.0.0.1:${RABBITMQ_METRICS_PORT}/metrics`).then((r) => r.ok, () => false);
  if (await answers()) return;
  run('rabbitmq-plugins', ['enable', 'rabbitmq_prometheus']);
  for (let i = 0; i < 50 && !(await answers()); i++) await sleep(200);
  if (!(await answers())) throw new Error(`rabbitmq_prometheus enabled but port ${RABBITMQ_METRICS_PORT} does not answer`);
}
