import { PlanError, WebhookHosts, planStepsOf, parsePlan } from '.';

const facts = {
  domain: 'crm',
  vms: new Set(['db', 'app', 'web']),
  // dmz-net's range is known to the platform, recovery-net's is not
  network: async (n: string) => ({ 'dmz-net': { subnet: '10.9.0.0/16' }, 'recovery-net': {} })[n] ?? null,
};

/** Nine levels of aliases, each nine times the one before: 9^9 nodes once expanded. */
const ALIAS_BOMB = [
  'domain: crm',
  'x0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]',
  ...Array.from({ length: 8 }, (_, i) => `x${i + 1}: &a${i + 1} [${Array(9).fill(`*a${i}`).join(', ')}]`),
  'groups: []',
].join('\n');

const PLAN = `domain: crm
groups:
  - name: data
    vms:
      - db
    after:
      - check: { timeoutSeconds: 30 }
      - approve: { timeoutSeconds: 60, onTimeout: continue }
  - name: front
    delaySeconds: 5
    vms:
      - app
      - name: web
        network: dmz-net
        ip: 10.9.0.5
    before:
      - wait: 2
      - webhook: { url: "http://127.0.0.1:9/hook", retries: 1 }
        continue-on-failure: true
`;

/** The line and message a plan is refused with. */
async function refusal(text: string): Promise<string> {
  try {
    await parsePlan(text, facts);
  } catch (err) {
    if (err instanceof PlanError) return err.message;
    throw err;
  }
  throw new Error('the plan was accepted');
}

describe('recovery plan documents', () => {
  it('reads groups, steps and defaults, and orders a task’s plan steps (VMs in no group last)', async () => {
    const plan = await parsePlan(PLAN, facts);
    expect(plan.groups[1]).toMatchObject({
      name: 'front',
      delaySeconds: 5,
      vms: [{ name: 'app' }, { name: 'web', network: 'dmz-net', ip: '10.9.0.5' }],
    });
    expect(plan.groups[1].before[1]).toEqual({
      kind: 'webhook',
      url: 'http://127.0.0.1:9/hook',
      timeoutSeconds: 10,
      retries: 1,
      continueOnFailure: true,
    });
    expect(plan.groups[0].after[1]).toEqual({ kind: 'approve', timeoutSeconds: 60, onTimeout: 'continue', continueOnFailure: false });
    const ids = planStepsOf({ ...plan, groups: [plan.groups[0]] }, ['db', 'web']).map((a) => a.stepId);
    expect(ids).toEqual(['data.power-on', 'data.after.1', 'data.after.2', '(rest).power-on']);
  });

  it.each([
    ['an unknown VM', PLAN.replace('      - db\n', '      - nope\n'), /^line 5: VM "nope" is not a protected VM of domain "crm"/],
    ['a VM in two groups', PLAN.replace('      - app\n', '      - db\n'), /^line 12: VM "db" is already in group "data"/],
    ['an unknown network', PLAN.replace('dmz-net', 'lost-net'), /^line 14: network "lost-net" does not exist/],
    ['a group named twice', PLAN.replace('name: front', 'name: data'), /^line 9: group "data" is named twice/],
    [
      'a step of two kinds',
      PLAN.replace('      - wait: 2\n', '      - wait: 2\n        check: {}\n'),
      /^line 17: groups.1.before.0: a step is exactly one of/,
    ],
    ['a typo', PLAN.replace('delaySeconds', 'delaySecs'), /^line 9: groups\.1: Unrecognized key/],
    ['a check before its group', PLAN.replace('      - wait: 2\n', '      - check: {}\n'), /^line 17: a check looks at/],
    ['another domain', PLAN.replace('domain: crm', 'domain: pay'), /^line 1: the plan is for domain "pay"/],
    ['no YAML', 'domain: crm\ngroups: [\n', /^line 3: /],
    [
      'a loopback re-IP',
      PLAN.replace('10.9.0.5', '127.0.0.1'),
      /^line 15: VM "web" may not be re-addressed: 127\.0\.0\.1 is a loopback address/,
    ],
    ['a link-local re-IP', PLAN.replace('10.9.0.5', '169.254.169.254'), /^line 15: .*169\.254\.169\.254 is a link-local address/],
    ['an unspecified re-IP', PLAN.replace('10.9.0.5', '0.0.0.0'), /^line 15: .*0\.0\.0\.0 is an unspecified/],
    ['a multicast re-IP', PLAN.replace('10.9.0.5', '224.0.0.1'), /^line 15: .*224\.0\.0\.1 is a multicast address/],
    [
      'a re-IP outside its network’s range',
      PLAN.replace('10.9.0.5', '10.8.255.5'),
      /^line 15: VM "web" may not be re-addressed: 10\.8\.255\.5 is outside network "dmz-net" \(10\.9\.0\.0\/16\)$/,
    ],
    ['an alias bomb', ALIAS_BOMB, /^line 3: unreadable YAML: Excessive alias count/],
    ['nesting deeper than the stack', `domain: crm\ngroups: ${'['.repeat(30_000)}${']'.repeat(30_000)}\n`, /^line \d+: /],
  ])('refuses %s with the line at fault', async (_what, text, expected) => {
    expect(await refusal(text)).toMatch(expected);
  });

  it('takes any usable address on a network whose range the platform does not know', async () => {
    const plan = await parsePlan(
      PLAN.replace('network: dmz-net\n        ip: 10.9.0.5', 'network: recovery-net\n        ip: 10.8.0.5'),
      facts,
    );
    expect(plan.groups[1]?.vms[1]).toEqual({ name: 'web', network: 'recovery-net', ip: '10.8.0.5' });
  });

  it('refuses re-addressing a VM to one of the planner’s own addresses, naming the line', async () => {
    await expect(parsePlan(PLAN, { ...facts, ownAddresses: new Set(['10.9.0.5']) })).rejects.toThrow(
      'line 15: VM "web" may not be re-addressed: 10.9.0.5 is an address of the planner itself',
    );
  });

  it('refuses a webhook to a host JSS_WEBHOOK_HOSTS does not list, naming the line; the hosts it lists pass', async () => {
    const at = (hosts: string) => parsePlan(PLAN, { ...facts, webhookHosts: WebhookHosts.parse(hosts) });
    await expect(at('hooks.example.com, *.corp.example')).rejects.toThrow(
      'line 18: webhook host "127.0.0.1" is not in JSS_WEBHOOK_HOSTS (hooks.example.com, *.corp.example)',
    );
    await expect(at('hooks.example.com,127.0.0.1')).resolves.toMatchObject({ domain: 'crm' });
    await expect(at('')).resolves.toMatchObject({ domain: 'crm' }); // no list: anywhere
  });
});

describe('JSS_WEBHOOK_HOSTS', () => {
  it('allows the hosts it lists, any host under a *.domain (not the domain itself), whatever the port', () => {
    const hosts = WebhookHosts.parse('Hooks.Example.com, *.corp.example, 10.1.2.3, [fd00::1]')!;
    for (const url of [
      'https://hooks.example.com/x',
      'http://HOOKS.example.com:8080/',
      'https://a.b.corp.example/',
      'http://10.1.2.3:9/',
      'http://[fd00::1]/',
    ])
      expect([url, hosts.allows(url)]).toEqual([url, true]);
    for (const url of [
      'https://corp.example/',
      'https://evilcorp.example/',
      'http://169.254.169.254/latest',
      'http://hooks.example.com.evil/',
      'not a url',
    ])
      expect([url, hosts.allows(url)]).toEqual([url, false]);
  });

  it('is no list when unset or empty, and refuses an entry that is more than a host', () => {
    expect(WebhookHosts.parse(undefined)).toBeNull();
    expect(WebhookHosts.parse(' , ')).toBeNull();
    for (const bad of [
      'http://hooks.example.com',
      'hooks.example.com:443',
      'hooks.example.com/x',
      'a*.example.com',
      'user@host',
      'two words',
    ])
      expect(() => WebhookHosts.parse(bad)).toThrow(`JSS_WEBHOOK_HOSTS: "${bad}" is not a host name`);
  });
});
