// Which CPUs the object-store rows give the server and the readers. On two or more CPUs (and with
// `taskset`), the server (and the link proxy) get CPU 0 and the readers (the ceiling client, or
// the rehydrators with their hash threads) the others, so that a reader's ratio to the ceiling
// compares readers with the same CPU (issue #33). Otherwise the rows say they were not pinned.
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import { hasCommand } from './measure';

export interface CpuLayout {
  /** false: one CPU, or no taskset; every process runs anywhere */
  pinned: boolean;
  cpus: number;
  /** taskset CPU lists */
  server: string;
  readers: string;
  all: string;
  /** for the table */
  describe: string;
}

export function cpuLayout(): CpuLayout {
  const cpus = os.availableParallelism();
  const all = `0-${cpus - 1}`;
  if (cpus < 2 || !hasCommand('taskset')) {
    const why = cpus < 2 ? 'one CPU' : 'no taskset';
    return { pinned: false, cpus, server: all, readers: all, all, describe: `not pinned (${why}): server and readers share ${cpus} CPU` };
  }
  const readers = cpus === 2 ? '1' : `1-${cpus - 1}`;
  return {
    pinned: true,
    cpus,
    server: '0',
    readers,
    all,
    describe: `pinned with taskset: server on CPU 0, readers on CPU ${readers} (${cpus} CPUs)`,
  };
}

/** Moves a running process, every thread of it, onto `cpuList` (its later threads follow). */
export function pin(pid: number, cpuList: string): void {
  execFileSync('taskset', ['-a', '-p', '-c', cpuList, String(pid)], { stdio: 'ignore' });
}
