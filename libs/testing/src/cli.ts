import { spawn } from 'node:child_process';
import path from 'node:path';
import { REPOSITORY_ROOT } from './installation';

/** The built CLI (npm run build). */
export const JSSCTL = path.join(REPOSITORY_ROOT, 'dist', 'apps', 'jssctl', 'main.js');

/** Runs jssctl as a user would, with an installation's environment; resolves with its exit code and output. */
export function runJssctl(env: NodeJS.ProcessEnv, args: string[]): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [JSSCTL, ...args], { env });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('close', (code) => resolve({ code: code ?? -1, out, err }));
  });
}
