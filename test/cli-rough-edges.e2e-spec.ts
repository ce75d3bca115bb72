import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { Installation, StoreServer, runJssctl } from '@jss/testing';

/** What a newcomer stumbled on (issue 32), each against the real services or store server. */
describe('jssctl: the first hour without a stumble', () => {
  let inst: Installation;
  const jssctl = (...args: string[]) => runJssctl(inst.env, args);

  beforeAll(async () => {
    // a slow store link, so that a failover reports its progress several times
    inst = await Installation.start(undefined, { JSS_STORE_MBPS: '40' });
    expect((await jssctl('replica', 'write', 'shop', '--vm', 'web:24MiB', '--vm', 'db:40MiB')).code).toBe(0);
  });
  afterAll(() => inst?.stop());

  it('a mistyped sub-command or option: the nearest one suggested; a missing image file named', async () => {
    const sub = await jssctl('tasks', 'shwo', 'task-1');
    expect(sub).toMatchObject({ code: 1, out: '' });
    expect(sub.err).toBe("jssctl: unknown command 'shwo' for 'tasks' (Did you mean show?)\n");
    expect((await jssctl('vms', 'delte', 'web')).err).toBe("jssctl: unknown command 'delte' for 'vms' (Did you mean delete?)\n");
    expect((await jssctl('failover', 'shop', '--wiat')).err).toBe("jssctl: unknown option '--wiat' (Did you mean --wait?)\n");
    // an image file that is not there: named, with the other form
    expect((await jssctl('replica', 'write', 'shop', '--vm', 'web=./web.img')).err).toBe(
      'jssctl: invalid --vm "web=./web.img": no image file ./web.img (or give a size of generated data, e.g. web:1GiB)\n',
    );
    // the sub-commands themselves still work
    expect((await jssctl('tasks', 'show', 'task-none')).err).toMatch(/^jssctl: .*task-none/);
  });

  it('a refused command with --json: {reason, message} on stdout, non-zero exit', async () => {
    const r = await jssctl('failover', 'nosuch', '--json');
    expect(r.code).toBe(1);
    expect(JSON.parse(r.out)).toEqual({
      reason: 'unknown-domain',
      message: expect.stringContaining('nosuch'),
      commandId: expect.any(String),
    });
    const usage = await jssctl('tasks', 'shwo', '--json');
    expect(JSON.parse(usage.out)).toEqual({ reason: 'usage', message: "unknown command 'shwo' for 'tasks' (Did you mean show?)" });
  });

  it('--wait through a pipe: one line per change of the percentage, never a redrawn block', async () => {
    const r = await jssctl('failover', 'shop', '--wait');
    expect(r.code).toBe(0);
    const progress = r.out.split('\n').filter((l) => l.startsWith('progress: '));
    const percents = progress.map((l) => Number(/^progress: (\d+)%/.exec(l)![1]));
    expect(percents.length).toBeGreaterThanOrEqual(2);
    expect(percents.at(-1)).toBe(100);
    for (let i = 1; i < percents.length; i++) expect(percents[i]).toBeGreaterThan(percents[i - 1]);
    expect(r.out).not.toMatch(/[█░]|\u001b\[/);
    for (const vm of ['web', 'db']) expect((await jssctl('vms', 'delete', vm)).code).toBe(0);
  });

  it('a dry run says which bytes it counts: the non-zero blocks, of the disks whole size', async () => {
    const r = await jssctl('failover', 'shop', '--dry-run');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(
      /^ {2}\(the non-zero blocks, read from the store and written, of 64\.0 MiB of disks: zero blocks are skipped; a task's summary counts the disks' whole size\)$/m,
    );
    expect(r.out).not.toMatch(/jssctl tasks/);
  });

  it('an identical plan apply answers unchanged and keeps the version; a refusal names the flag, not the bus field', async () => {
    const file = path.join(inst.dataDir, 'shop.yaml');
    writeFileSync(file, 'domain: shop\ngroups:\n  - name: data\n    vms: [db]\n  - name: front\n    vms: [web]\n');
    expect((await jssctl('plan', 'apply', file)).out).toBe('recovery plan of domain shop: version 1 (2 group(s))\n');
    expect((await jssctl('plan', 'apply', file)).out).toBe('recovery plan of domain shop: unchanged, still version 1 (2 group(s))\n');
    expect((await jssctl('plan', 'show', 'shop')).out).toMatch(/^# domain shop, version 1 of 1, /);
    writeFileSync(file, 'domain: shop\ngroups:\n  - name: all\n    vms: [db, web]\n');
    expect((await jssctl('plan', 'apply', file)).out).toBe('recovery plan of domain shop: version 2 (1 group(s))\n');

    const r = await jssctl('failover', 'shop', '--boot-order', 'db;web', '--dry-run');
    expect(r.code).toBe(1);
    expect(r.err).toBe(
      'jssctl: rejected (invalid-command): domain "shop" has a recovery plan (version 2) that orders its VMs; leave --boot-order out, or give --no-plan to use --boot-order instead\n',
    );
  });

  it('no AWS SDK notice about Node versions on stderr (the SDK switch, unless the user sets it)', async () => {
    const server = await StoreServer.start('s3', path.join(inst.dataDir, 's3'));
    try {
      const env = { ...inst.env, ...server.env() };
      delete env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED;
      const write = await runJssctl(env, ['replica', 'write', 'bucketed', '--vm', 'web:1MiB']);
      expect(write).toMatchObject({ code: 0, err: '' });
      // the same client in the services (libs/store); asked for, the notice is still there to see
      const shown = await runJssctl({ ...env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'false' }, [
        'replica',
        'points',
        'bucketed',
      ]);
      expect(shown.code).toBe(0);
      if (Number(process.versions.node.split('.')[0]) < 22) expect(shown.err).toMatch(/NodeVersionSupportWarning/);
    } finally {
      await server.close();
    }
  });
});
