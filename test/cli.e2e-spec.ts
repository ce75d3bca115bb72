import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Installation, JSSCTL as CLI, MiB, recoveryVm, runJssctl, waitUntil } from '@jss/testing';

const ROOT = path.resolve(__dirname, '..');

/** The jssctl a user runs, against the real services: output, listings, and one readable line on errors. */
describe('jssctl', () => {
  let inst: Installation;
  const jssctl = (...args: string[]) => runJssctl(inst.env, args);

  beforeAll(async () => {
    inst = await Installation.start();
  });
  afterAll(() => inst?.stop());

  it('writes a domain, lists its points, fails it over with progress and a summary', async () => {
    const write = await jssctl('replica', 'write', 'cli', '--vm', 'web:3MiB', '--vm', 'db:2MiB');
    expect(write.code).toBe(0);
    const points = await jssctl('replica', 'points', 'cli', '--json');
    // no scanner runs in this installation: the point stays unscanned
    expect(JSON.parse(points.out)).toEqual([
      { id: expect.stringMatching(/^rp-/), time: expect.any(String), vms: ['db', 'web'], verdict: 'unscanned', scan: null },
    ]);

    const run = await jssctl('failover', 'cli', '--wait');
    expect(run.err).toBe('');
    expect(run.code).toBe(0);
    expect(run.out).toMatch(/task task-\S+ accepted/);
    expect(run.out).toMatch(/created rocva jss-rocva-cli/);
    expect(run.out).toMatch(/completed in [\d.]+s: 2 VM\(s\)/);
    // through a pipe: a line per change of the percentage, no bars redrawn
    expect(run.out).toMatch(/^progress: 100% 5\.0\/5\.0 MiB/m);
    expect(run.out).not.toMatch(/\[[^\]]*\]/);

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
    const record = JSON.parse((await jssctl('tasks', 'show', taskId, '--json')).out);
    expect(record).toMatchObject({ id: taskId, operation: 'failover', state: 'completed', report: { outcome: 'completed' } });
  });

  it('deletes a VM it recovered (vm.deleted published) and refuses one it did not create', async () => {
    const del = await jssctl('vms', 'delete', 'db');
    expect(del).toMatchObject({ code: 0, err: '' });
    expect(await inst.platform.getVm('recovery', 'db')).toBeNull();
    const announced = () =>
      inst.events.all.find((r) => r.key === 'vm.deleted' && r.event.data.name === 'db' && r.event.source === '/jssctl');
    await waitUntil('vm.deleted from jssctl', () => announced() !== undefined, 10_000);
    expect(announced()?.event.data).toMatchObject({ kind: 'recovered', site: 'recovery', domain: 'cli' });

    await recoveryVm(inst.platform, 'payroll');
    const refused = await jssctl('vms', 'delete', 'payroll');
    expect(refused.code).not.toBe(0);
    expect(refused.err.trim().split('\n')).toEqual([
      expect.stringMatching(/^jssctl: VM "payroll" at site "recovery" was not created by JSS/),
    ]);
    expect(await inst.platform.getVm('recovery', 'payroll')).not.toBeNull();
    await inst.platform.deleteVm('recovery', 'payroll');
  });

  it('a refused command: non-zero exit and one readable line', async () => {
    const r = await jssctl('failover', 'nowhere', '--wait');
    expect(r.code).not.toBe(0);
    expect(r.err.trim().split('\n')).toEqual([
      expect.stringMatching(/^jssctl: rejected \(unknown-domain\): protected domain "nowhere" does not exist/),
    ]);
  });

  it('a dry run prints what would be created; as JSON without a task id', async () => {
    const r = await jssctl('test-failover', 'cli', '--dry-run');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/would create tvm\s+jss-tvm-cli-web/);
    const json = JSON.parse((await jssctl('test-failover', 'cli', '--dry-run', '--json')).out);
    expect(Object.keys(json)).toEqual(['planned']);
  });

  it('a test failover and its cleanup: the cleanup says what it removed', async () => {
    const test = await jssctl('test-failover', 'cli', '--vms', 'web', '--wait');
    expect(test.code).toBe(0);
    const taskId = /task (task-\S+): test VMs up/.exec(test.out)![1];
    const cleanup = await jssctl('test-cleanup', taskId);
    expect(cleanup).toMatchObject({ code: 0, err: '' });
    expect(cleanup.out.trim().split('\n').at(-1)).toBe(`task ${taskId}: 1 Test VM(s) removed (jss-tvm-cli-web)`);
    expect(await inst.platform.getVm('recovery', 'jss-tvm-cli-web')).toBeNull();
  });

  it('shows the simulated sites in sizes for people and adds a datastore', async () => {
    const add = await jssctl('site', 'add-datastore', 'big-ds', '--site', 'recovery', '--capacity', '20TiB');
    expect(add).toMatchObject({ code: 0, out: 'datastore big-ds at site recovery: 20.0 TiB\n' });
    const show = await jssctl('site', 'show');
    expect(show.out).toMatch(/^recovery-cluster\s+recovery$/m);
    expect(show.out).toMatch(/^big-ds\s+recovery\s+20\.0 TiB\s+20\.0 TiB$/m);
    expect(show.out).toMatch(/^recovery-net\s+recovery\s+yes\s+no\s+\d+\s+10\.20\.0\.0\/24$/m);
    const ranged = await jssctl('site', 'add-network', 'lab-net', '--site', 'recovery', '--subnet', '10.40.0.0/24');
    expect(ranged).toMatchObject({ code: 0, out: 'network lab-net at site recovery in 10.40.0.0/24: static addresses only\n' });
    const unknown = await jssctl('site', 'add-network', 'x-net', '--site', 'nowhere');
    expect(unknown.err).toBe('jssctl: unknown site "nowhere" (sites: primary, recovery)\n');
  });

  it('says a command is queued and will run when no planner answers, and it runs once a planner starts', async () => {
    await inst.stopServices('planner');
    const r = await jssctl('test-failover', 'cli', '--dry-run', '--timeout', '1');
    expect(r.code).toBe(3);
    const [line] = r.err.trim().split('\n');
    expect(line).toMatch(
      // a dry run creates no task: nothing to follow with jssctl tasks
      /^jssctl: no planner is running: dry run \S+ is queued \(1 command\(s\) waiting\) and will run when a planner starts; a dry run creates no task; its answer comes only to a jssctl still waiting \(--timeout <seconds>\)$/,
    );
    const commandId = /dry run (\S+) is queued/.exec(line)![1];
    await inst.add({ planner: 1 });
    expect((await inst.events.waitFor(commandId, ['task.planned'])).event.data).toMatchObject({
      operation: 'test-failover',
      domain: 'cli',
    });
  });

  it('says a command was not kept where no planner ever ran', async () => {
    const bare = await Installation.start({});
    try {
      const child = spawn(process.execPath, [CLI, 'failover', 'cli', '--timeout', '1'], { env: bare.env });
      let err = '';
      child.stderr.on('data', (d) => (err += d));
      const code = await new Promise((r) => child.on('close', r));
      expect(code).toBe(1);
      expect(err).toMatch(
        /^jssctl: no answer to command \S+: queue jss\.planner\.commands does not exist, so no planner ever ran here; start the services and publish again\n$/,
      );
    } finally {
      await bare.stop();
    }
  });

  it('each service logs the URL it listens on (with HTTP_PORT=0 the only place the port shows)', () => {
    for (const service of inst.services) {
      const log = readFileSync(path.join(inst.dataDir, 'logs', `${service.name}.log`), 'utf8');
      const listening = log
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as { msg: string; url?: string })
        .find((entry) => entry.url);
      expect(listening).toMatchObject({
        url: `http://127.0.0.1:${service.port}`,
        msg: expect.stringContaining(`listening on http://127.0.0.1:${service.port}`),
      });
    }
  });

  it('bad arguments, unknown names and unreachable servers: one line each', async () => {
    const bad = await jssctl('replica', 'write', 'cli', '--vm', 'web');
    expect(bad.code).not.toBe(0);
    expect(bad.err.trim().split('\n')).toHaveLength(1);
    const oneLine = async (args: string[], line: RegExp) => {
      const r = await jssctl(...args);
      expect(r.code).not.toBe(0);
      expect(r.err.split('\n')).toEqual([expect.stringMatching(line), '']);
      expect(r.out).toBe('');
    };
    await oneLine(['failver', 'cli'], /^jssctl: unknown command 'failver' \(Did you mean failover\?\)$/);
    await oneLine(['vms', '--site', 'nowhere'], /^jssctl: unknown site "nowhere" \(sites: primary, recovery\)$/);
    await oneLine(['test-failover', 'cli', '--ttl', 'abc'], /^jssctl: --ttl must be a whole number of at least 1, got "abc"$/);
    await oneLine(['failover', 'nowhere', '--wait'], /^jssctl: rejected \(unknown-domain\)/);
    const child = spawn(process.execPath, [CLI, 'tasks'], { env: { ...inst.env, REDIS_URL: 'redis://127.0.0.1:1' } });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    const code = await new Promise((r) => child.on('close', r));
    expect(code).not.toBe(0);
    expect(err.trim()).toMatch(/^jssctl: cannot reach Redis at redis:\/\/127\.0\.0\.1:1/);
  });

  it('prints the connection strings it cannot reach without their passwords: no user, every node of a list', async () => {
    const redis = await runJssctl({ ...inst.env, REDIS_URL: 'redis://:red-secret@127.0.0.1:1' }, ['tasks']);
    expect(redis.err.trim()).toBe(
      'jssctl: cannot reach Redis at redis://:***@127.0.0.1:1; start it (redis-server --daemonize yes) or set REDIS_URL',
    );
    const amqp = await runJssctl({ ...inst.env, AMQP_URL: 'amqp://jss:first-secret@127.0.0.1:1,amqp://jss:second-secret@127.0.0.1:2' }, [
      'failover',
      'cli',
    ]);
    expect(amqp.err).toMatch(/^jssctl: cannot reach RabbitMQ at amqp:\/\/jss:\*\*\*@127\.0\.0\.1:1,amqp:\/\/jss:\*\*\*@127\.0\.0\.1:2;/);
    expect(`${redis.out}${redis.err}${amqp.out}${amqp.err}`).not.toMatch(/secret/);
  });

  it('follows a failover in a terminal: lines above the bars intact, the bars at 100% at the end', async () => {
    execFileSync('bash', [path.join(ROOT, 'scripts', 'install-tmux.sh')], { stdio: 'pipe' });
    await inst.writer.writePoint('term', [
      { name: 'alpha', source: { sizeBytes: 6 * MiB, seed: 3 } },
      { name: 'beta', source: { sizeBytes: 4 * MiB, seed: 4 } },
      { name: 'gamma', source: { sizeBytes: 2 * MiB, seed: 5 } },
    ]);
    // a tmux server of the test's own (its socket, the test's environment), one 120x50 window
    const tmux = (...args: string[]) =>
      execFileSync('tmux', ['-L', `jss-cli-${process.pid}`, ...args], { env: inst.env, encoding: 'utf8' });
    tmux('new-session', '-d', '-x', '120', '-y', '50', `${process.execPath} ${CLI} failover term --wait; echo "exit $?"; sleep 600`);
    try {
      let screen = '';
      const exited = () => /^exit \d+$/m.test((screen = tmux('capture-pane', '-p', '-S', '-', '-E', '-')));
      await waitUntil('jssctl exited in the terminal', exited, 90_000, 250);
      const lines = screen.split('\n').map((l) => l.trimEnd());
      expect(lines).toContain('exit 0');
      // every bar drawn once, where it ended: full
      for (const bar of ['total', 'alpha', 'beta', 'gamma']) {
        expect(lines.filter((l) => l.startsWith(` ${bar} `))).toEqual([expect.stringMatching(/\[█+\] 100% \| \d+\.\d\/\d+\.\d MiB \|/)]);
      }
      // the lines printed above and after the bars, whole and without bar fragments
      const text = lines.filter((l) => l && !l.startsWith(' '));
      expect(text.filter((l) => /[█░]|\] \d+%/.test(l))).toEqual([]);
      const ip = '\\(10\\.20\\.0\\.\\d+\\)';
      const vms = ['alpha', 'beta', 'gamma'];
      expect(text).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/^task task-\S+ accepted$/),
          expect.stringMatching(new RegExp(`^created rocva jss-rocva-term ${ip}$`)),
          ...vms.map((vm) => expect.stringMatching(new RegExp(`^created recovered ${vm} ${ip}$`))),
          ...vms.map((vm) => expect.stringMatching(new RegExp(`^deleted rvm jss-rvm-${vm} ${ip}$`))),
          expect.stringMatching(/^task task-\S+ completed in [\d.]+s: 3 VM\(s\), 12\.0 MiB$/),
        ]),
      );
    } finally {
      tmux('kill-server');
    }
  });

  it('prints a 3,000-VM listing whole through a pipe (as JSON that parses)', async () => {
    const net = await jssctl('site', 'add-network', 'fleet-net', '--site', 'recovery', '--dhcp', '--pool', '3100');
    // a pool past .255 of its /24: no range known
    expect(net).toMatchObject({ code: 0, out: 'network fleet-net at site recovery: DHCP, 3100 addresses\n' });
    const names = Array.from({ length: 3000 }, (_, i) => `fleet-${String(i).padStart(4, '0')}`);
    for (let i = 0; i < names.length; i += 100) {
      await Promise.all(
        names.slice(i, i + 100).map((name) => recoveryVm(inst.platform, name, { nics: [{ network: 'fleet-net', ip: 'dhcp' }] })),
      );
    }
    // a shell pipe, as `jssctl vms --json | jq` is
    const out = execFileSync('bash', ['-c', `"${process.execPath}" "${CLI}" vms --site recovery --json | cat`], {
      env: inst.env,
      encoding: 'utf8',
      maxBuffer: 64 * MiB,
    });
    const vms = JSON.parse(out) as Array<{ name: string }>;
    expect(vms.filter((v) => v.name.startsWith('fleet-')).map((v) => v.name)).toEqual(names);
    expect(out.length).toBeGreaterThan(131_072);
  });
});
