import { ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, openSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export const SERVICES = ['planner', 'provisioner', 'rehydrator', 'janitor', 'scanner'] as const;
/** The recovery services, and the stand-in replication side (planned failover needs it). */
export type ServiceName = (typeof SERVICES)[number] | 'replicator';

export interface RunningService {
  name: string;
  port: number;
  child: ChildProcess;
}

// generous: a start that fails exits at once (checked below); a slow one on a loaded machine is not a failure
const READY_TIMEOUT_MS = 90_000;

/** A service did not come up: the message names its log. */
export class ServiceStartError extends Error {}

/** The built entry point of a service (dist/apps/<name>/main.js). */
export const serviceMain = (distDir: string, name: ServiceName) => path.join(distDir, 'apps', name, 'main.js');

/** Starts a built service as a child process, logs to <logDir>/<label>.log; resolves once /readyz answers 200. */
export async function startService(
  name: ServiceName,
  port: number,
  env: NodeJS.ProcessEnv,
  logDir: string,
  opts: { distDir?: string; label?: string } = {},
): Promise<RunningService> {
  mkdirSync(logDir, { recursive: true });
  const label = opts.label ?? name;
  const log = openSync(path.join(logDir, `${label}.log`), 'a');
  // this file is dist/libs/processes/src/services.js once built
  const main = serviceMain(opts.distDir ?? path.join(__dirname, '..', '..', '..'), name);
  const child = spawn(process.execPath, [main], { env: { ...env, HTTP_PORT: String(port) }, stdio: ['ignore', log, log] });
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new ServiceStartError(`${label} exited with code ${child.exitCode}; see ${path.join(logDir, `${label}.log`)}`);
    const ready = await fetch(`http://127.0.0.1:${port}/readyz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) return { name: label, port, child };
    await sleep(200);
  }
  child.kill('SIGKILL');
  throw new ServiceStartError(`${label} was not ready within ${READY_TIMEOUT_MS / 1000}s; see ${path.join(logDir, `${label}.log`)}`);
}

/** SIGTERM (the services drain and close), SIGKILL after a grace period. */
export async function stopService(s: RunningService, graceMs = 10_000): Promise<void> {
  if (s.child.exitCode !== null || s.child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => s.child.once('exit', () => resolve()));
  s.child.kill('SIGTERM');
  if (!(await Promise.race([exited.then(() => true), sleep(graceMs, false, { ref: false })]))) s.child.kill('SIGKILL');
}
