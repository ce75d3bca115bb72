import { spawn } from 'node:child_process';
import path from 'node:path';
import pLimit from 'p-limit';
import { Installation } from '@jss/testing';

const CLI = path.resolve(__dirname, '../../apps/jssctl/main.js');

/** One jssctl run: its output read through a pipe, whole, and how long the process took. */
export function timedCli(inst: Installation, args: string[]): Promise<{ seconds: number; out: string; code: number | null }> {
  const started = process.hrtime.bigint();
  const child = spawn(process.execPath, [CLI, ...args], { env: inst.env, stdio: ['ignore', 'pipe', 'pipe'] });
  const chunks: Buffer[] = [];
  child.stdout.on('data', (c: Buffer) => chunks.push(c));
  child.stderr.resume();
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) =>
      resolve({ seconds: Number(process.hrtime.bigint() - started) / 1e9, out: Buffer.concat(chunks).toString(), code }),
    );
  });
}

/** VMs of no task on the protected site until the platform holds `total`: a listing of that many. */
export async function fillInventory(inst: Installation, total: number): Promise<void> {
  const have = (await inst.platform.listVms()).length;
  const limit = pLimit(16);
  await Promise.all(
    Array.from({ length: Math.max(0, total - have) }, (_, i) =>
      limit(() =>
        inst.platform.createVm({
          name: `filler-${String(i).padStart(5, '0')}`,
          site: 'primary',
          cluster: 'primary-cluster',
          datastore: 'primary-ds',
          nics: [],
          disks: [],
          owner: null,
          powerOn: false,
        }),
      ),
    ),
  );
}

/** The dry run of a failover of the domain (before it: after it, its VMs exist and it is refused). */
export async function dryRunTiming(inst: Installation, domain: string, network: string) {
  const dry = await timedCli(inst, ['failover', domain, '--network', network, '--dry-run']);
  if (dry.code) throw new Error(`jssctl failover --dry-run failed (${dry.code}): ${dry.out.slice(0, 300)}`);
  return { seconds: round3(dry.seconds), firstLine: dry.out.split('\n')[0].slice(0, 200) };
}

/** `vms --json` of every VM through a pipe (parsed: every VM there), and `tasks show` of a large task. */
export async function listingTimings(inst: Installation, taskId: string) {
  const vms = await timedCli(inst, ['vms', '--json']);
  const show = await timedCli(inst, ['tasks', 'show', taskId]);
  if (vms.code || show.code) throw new Error(`jssctl failed: vms ${vms.code}, tasks show ${show.code}`);
  return {
    vmsJson: { seconds: round3(vms.seconds), vms: (JSON.parse(vms.out) as unknown[]).length, bytes: vms.out.length },
    tasksShow: { seconds: round3(show.seconds), lines: show.out.split('\n').length },
  };
}

const round3 = (x: number) => Math.round(x * 1000) / 1000;
