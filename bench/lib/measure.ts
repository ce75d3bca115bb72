import { spawnSync, SpawnSyncOptions } from 'node:child_process';
import { closeSync, fsyncSync, openSync, readdirSync, readFileSync, readSync, statSync, writeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export const MiB = 1 << 20;
export const GiB = 1 << 30;

/** Seconds since `start` (process.hrtime.bigint()). */
export const secondsSince = (start: bigint): number => Number(process.hrtime.bigint() - start) / 1e9;

export const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** MB/s (10^6 bytes per second), as dd prints it. */
export const mbps = (bytes: number, seconds: number): number => bytes / seconds / 1e6;

const TICK = 100; // USER_HZ of /proc/*/stat on Linux

/** CPU seconds (user, system) of a process from /proc/<pid>/stat, children it has waited for included. */
export function cpuOf(pid: number | 'self'): { user: number; system: number; childUser: number; childSystem: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // fields from 3 (state) on
  const at = (n: number) => Number(fields[n - 3]) / TICK;
  return { user: at(14), system: at(15), childUser: at(16), childSystem: at(17) };
}

/** CPU seconds of the children this process waited for (dd, restic) so far. */
export function childCpuSeconds(): number {
  const c = cpuOf('self');
  return c.childUser + c.childSystem;
}

/** CPU seconds of a process (all its threads). */
export function processCpuSeconds(pid: number): number {
  try {
    const c = cpuOf(pid);
    return c.user + c.system;
  } catch {
    return NaN;
  }
}

/** Peak resident set (VmHWM) of a process in MiB. */
export function peakRssMiB(pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

/** Whole-machine CPU counters, to tell how busy the machine (other sessions too) was during a row. */
export function machineCpu(): { busy: number; total: number; steal: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0];
  const [user, nice, system, idle, iowait, irq, softirq, steal] = line.split(/\s+/).slice(1).map(Number);
  const total = user + nice + system + idle + iowait + irq + softirq + steal;
  return { busy: user + nice + system + irq + softirq, total, steal };
}

/** Share of the machine's CPU time that was busy between two machineCpu() readings (0..1). */
export const busyShare = (a: ReturnType<typeof machineCpu>, b: ReturnType<typeof machineCpu>): number =>
  (b.busy - a.busy) / Math.max(1, b.total - a.total);

/** Runs a command, times it with process.hrtime around spawnSync; throws with its stderr on failure. */
export function timeCommand(cmd: string, args: string[], opts: SpawnSyncOptions = {}): { seconds: number; cpuSeconds: number } {
  const cpu0 = childCpuSeconds();
  const start = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 64 * MiB, ...opts });
  const seconds = secondsSince(start);
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited with ${r.status}: ${String(r.stderr ?? '').trim()}`);
  return { seconds, cpuSeconds: childCpuSeconds() - cpu0 };
}

/** Runs a command to completion (not timed); throws with its output on failure. */
export function run(cmd: string, args: string[], opts: SpawnSyncOptions = {}): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 * MiB, ...opts });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited with ${r.status}: ${String(r.stderr ?? r.stdout ?? '').trim()}`);
  return String(r.stdout ?? '');
}

export function hasCommand(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

/**
 * Reads files (recursively) so that the next timed row finds them in the page cache: every row
 * starts from the same warm state (this VM pages out page cache that has been idle for about a
 * minute, so a row would otherwise depend on what ran before it).
 */
export function warm(target: string): number {
  const buffer = Buffer.allocUnsafe(4 * MiB);
  let bytes = 0;
  const visit = (p: string) => {
    const st = statSync(p);
    if (st.isDirectory()) {
      for (const name of readdirSync(p)) visit(path.join(p, name));
    } else if (st.isFile()) {
      const fd = openSync(p, 'r');
      try {
        for (let n; (n = readSync(fd, buffer, 0, buffer.length, null)) > 0;) bytes += n;
      } finally {
        closeSync(fd);
      }
    }
  };
  visit(target);
  return bytes;
}

/**
 * Before each timed run: write back what is dirty, then wait until the memory the last run freed
 * has been handed back to the host. On this kind of VM (virtio-balloon free page reporting) a page
 * freed less than ~2 s ago is still backed and costs nothing to reuse, while one handed back costs
 * a host fault on first touch: copying 2 GiB into the page cache took 0.6 s right after deleting a
 * 2 GiB file and 3.4 s 4 s later. Waiting puts every run in the same (cold) state.
 */
export async function settle(seconds = Number(process.env.BENCH_SETTLE_SECONDS ?? 5)): Promise<void> {
  spawnSync('sync');
  await sleep(seconds * 1000);
}

export function freeBytes(dir: string): number {
  const out = run('df', ['-B1', '--output=avail', dir]);
  return Number(out.trim().split('\n').pop());
}

export function machineInfo(dir: string) {
  const cpus = os.cpus();
  const fs = run('df', ['--output=source,fstype', dir]).trim().split('\n').pop()!.trim().split(/\s+/);
  return {
    cpu: `${cpus.length} x ${cpus[0]?.model ?? '?'}`,
    cores: cpus.length,
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    kernel: os.release(),
    node: process.version,
    fileSystem: `${fs[1] ?? '?'} on ${fs[0] ?? '?'} (${dir})`,
  };
}

export const loadAverage = (): number[] => os.loadavg().map((x) => Math.round(x * 100) / 100);

/**
 * BENCH_PREFILL: writes `bytes` of zeros into `file` (not sparse) and fsyncs it, so that a timed
 * run overwrites page-cache pages that already exist instead of allocating new ones: the memory
 * state of the machine (see settle) drops out and what is left is the software's own cost.
 */
export function prefill(file: string, bytes: number): void {
  const zeros = Buffer.alloc(4 * MiB);
  const fd = openSync(file, 'w');
  try {
    for (let at = 0; at < bytes; at += zeros.length) writeSync(fd, zeros, 0, Math.min(zeros.length, bytes - at), at);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
