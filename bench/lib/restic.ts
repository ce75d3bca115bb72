import { mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { hasCommand, run, timeCommand } from './measure';

/**
 * restic, the reference for a backup tool's restore: a repository on the same file system,
 * `--no-cache` everywhere, backup once (not timed), each restore into a fresh folder (timed).
 */
export class Restic {
  private readonly env: NodeJS.ProcessEnv;

  private constructor(
    readonly repo: string,
    readonly version: string,
  ) {
    this.env = { ...process.env, RESTIC_REPOSITORY: repo, RESTIC_PASSWORD: 'jss-bench', RESTIC_PROGRESS_FPS: '0.1' };
  }

  /** null when restic is not installed (scripts/install-bench-tools.sh installs it). */
  static available(repo: string): Restic | null {
    if (!hasCommand('restic')) return null;
    const version = run('restic', ['version']).trim();
    return new Restic(repo, version);
  }

  backup(file: string): { seconds: number } {
    run('restic', ['init', '--no-cache'], { env: this.env });
    const { seconds } = timeCommand('restic', ['backup', '--no-cache', '--quiet', file], { env: this.env });
    return { seconds };
  }

  /** Restores the latest snapshot into `target` (created fresh); the restored file's path. */
  restore(target: string): { seconds: number; cpuSeconds: number; file: string } {
    rmSync(target, { recursive: true, force: true });
    mkdirSync(target, { recursive: true });
    const t = timeCommand('restic', ['restore', 'latest', '--no-cache', '--target', target], { env: this.env });
    return { ...t, file: onlyFile(target) };
  }
}

function onlyFile(dir: string): string {
  for (const name of readdirSync(dir)) {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) {
      const found = onlyFile(p);
      if (found) return found;
    } else return p;
  }
  return '';
}
