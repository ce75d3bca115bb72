import { spawn } from 'node:child_process';
import path from 'node:path';
import { Installation } from '@jss/testing';

const CLI = path.resolve(__dirname, '..', 'dist', 'apps', 'jssctl', 'main.js');

/** The jssctl a user runs, against the real services: output, listings, and one readable line on errors. */
describe('jssctl', () => {
  let inst: Installation;
  const jssctl = (...args: string[]) =>
    new Promise<{ code: number; out: string; err: string }>((resolve) => {
      const child = spawn(process.execPath, [CLI, ...args], { env: inst.env });
      let out = '';
      let err = '';
      child.stdout.on('data', (d) => (out += d));
      child.stderr.on('data', (d) => (err += d));
      child.on('close', (code) => resolve({ code: code ?? -1, out, err }));
    });

  beforeAll(async () => {
    inst = await Installation.start();
  });
  afterAll(() => inst?.stop());

  it('writes a domain, lists its points, fails it over with progress and a summary', async () => {
    const write = await jssctl('replica', 'write', 'cli', '--vm', 'web:3MiB', '--vm', 'db:2MiB');
    expect(write.code).toBe(0);
    const points = await jssctl('replica', 'points', 'cli', '--json');
    expect(JSON.parse(points.out)).toEqual([{ id: expect.stringMatching(/^rp-/), time: expect.any(String), vms: ['db', 'web'] }]);

    const run = await jssctl('failover', 'cli', '--wait');
    expect(run.err).toBe('');
    expect(run.code).toBe(0);
    expect(run.out).toMatch(/task task-\S+ accepted/);
    expect(run.out).toMatch(/created rocva jss-rocva-cli/);
    expect(run.out).toMatch(/completed in [\d.]+s: 2 VM\(s\)/);
    expect(run.out).toMatch(/total\s+\[[^\]]*\] 100%/);

    const vms = JSON.parse((await jssctl('vms', '--json')).out);
    expect(vms).toEqual([
      expect.objectContaining({
        name: 'db',
        site: 'recovery',
        powerState: 'poweredOn',
        owner: { taskId: expect.any(String), kind: 'recovered' },
      }),
      expect.objectContaining({ name: 'web', site: 'recovery', powerState: 'poweredOn' }),
    ]);
    expect(Object.keys(vms[0]).sort()).toEqual(['disks', 'name', 'nics', 'owner', 'powerState', 'site']);

    const taskId = /task (task-\S+) accepted/.exec(run.out)![1];
    const show = await jssctl('tasks', 'show', taskId);
    expect(show.out).toMatch(/report: completed, RTO [\d.]+s/);
    expect(show.out).toMatch(/^web\s+3145728/m);
  });

  it('a refused command: non-zero exit and one readable line', async () => {
    const r = await jssctl('failover', 'nowhere', '--wait');
    expect(r.code).not.toBe(0);
    expect(r.err.trim().split('\n')).toEqual([
      expect.stringMatching(/^jssctl: rejected \(unknown-domain\): protected domain "nowhere" does not exist/),
    ]);
  });

  it('a dry run prints what would be created', async () => {
    const r = await jssctl('test-failover', 'cli', '--dry-run');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/would create tvm\s+jss-tvm-cli-web/);
  });

  it('bad arguments and unreachable servers: one line each', async () => {
    const bad = await jssctl('replica', 'write', 'cli', '--vm', 'web');
    expect(bad.code).not.toBe(0);
    expect(bad.err.trim().split('\n')).toHaveLength(1);
    const child = spawn(process.execPath, [CLI, 'tasks'], { env: { ...inst.env, REDIS_URL: 'redis://127.0.0.1:1' } });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    const code = await new Promise((r) => child.on('close', r));
    expect(code).not.toBe(0);
    expect(err.trim()).toMatch(/^jssctl: cannot reach Redis at redis:\/\/127\.0\.0\.1:1/);
  });
});
