import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createLogger } from '@jss/observability';
import { authorize } from './authorize';
import { principalOf } from './command-message';
import { RoleMapError, parseRoleMap } from './role-map';
import { RoleMapSource } from './role-map-source';

const MAP = `
principals:
  viv: { roles: [viewer], domains: ["*"] }
  tess: { roles: [tester], domains: [shop] }
  olga:
    roles: [operator]
    domains: [shop, crm]
  ada: { roles: [admin], domains: [] }
  constructor: { roles: [viewer], domains: [shop] }
`;

describe('authorize', () => {
  const map = parseRoleMap(MAP, 'roles.yaml');
  const ask = (principal: string, operation: Parameters<typeof authorize>[1]['operation'], domain = 'shop', more = {}) =>
    authorize(map, { principal, operation, domain, ...more });

  it('a viewer may only dry-run', () => {
    expect(ask('viv', 'failover', 'any', { dryRun: true })).toBeNull();
    expect(ask('viv', 'failover')).toMatch(/principal "viv" .*may not failover on domain "shop"/);
  });

  it('recovery plans: any role may show one of its domains; applying and continuing need an operator', () => {
    expect(ask('viv', 'plan-show')).toBeNull();
    expect(ask('tess', 'plan-show')).toBeNull();
    expect(ask('tess', 'plan-show', 'crm')).toMatch(/may not plan-show on domain "crm"/);
    expect(ask('tess', 'plan-apply')).toMatch(/may not plan-apply/);
    expect(ask('viv', 'plan-continue')).toMatch(/may not plan-continue/);
    expect(ask('olga', 'plan-apply')).toBeNull();
    expect(ask('olga', 'plan-continue', 'crm')).toBeNull();
  });

  it('a tester may test-failover, test-cleanup and dry-run on its domains only', () => {
    expect(ask('tess', 'test-failover')).toBeNull();
    expect(ask('tess', 'test-cleanup')).toBeNull();
    expect(ask('tess', 'restore', 'shop', { dryRun: true })).toBeNull();
    expect(ask('tess', 'failover')).toMatch(/"tess".*may not failover on domain "shop"/);
    expect(ask('tess', 'cancel')).toMatch(/may not cancel/);
    expect(ask('tess', 'test-failover', 'crm')).toMatch(/may not test-failover on domain "crm" \(its domains: shop\)/);
  });

  it('a tester may schedule and unschedule drills (recurring test failovers) of its domains; a viewer may not', () => {
    expect(ask('tess', 'drill-schedule')).toBeNull();
    expect(ask('tess', 'drill-unschedule')).toBeNull();
    expect(ask('tess', 'drill-schedule', 'crm')).toMatch(/may not drill-schedule on domain "crm"/);
    expect(ask('viv', 'drill-schedule')).toMatch(/"viv".*may not drill-schedule on domain "shop"/);
  });

  it('re-protection and objectives are authorised like a failover: an operator of the domain, not a tester or viewer', () => {
    for (const op of ['reprotect', 'domain-set'] as const) {
      expect(ask('olga', op, 'crm')).toBeNull();
      expect(ask('olga', op, 'hr')).toMatch(new RegExp(`"olga" may not ${op} on domain "hr"`));
      expect(ask('tess', op)).toMatch(new RegExp(`"tess".*may not ${op} on domain "shop"`));
      expect(ask('viv', op)).toMatch(new RegExp(`"viv".*may not ${op}`));
      expect(ask('viv', op, 'shop', { dryRun: true })).toBeNull();
    }
  });

  it('an operator may do everything on its domains, nothing elsewhere, and no foreign replace', () => {
    for (const op of ['failover', 'restore', 'cancel', 'failback', 'test-cleanup'] as const) expect(ask('olga', op, 'crm')).toBeNull();
    expect(ask('olga', 'failover', 'hr')).toMatch(/"olga" may not failover on domain "hr"/);
    expect(ask('olga', 'restore', 'shop', { replaceForeign: true, vms: ['prod'] })).toMatch(/replace VMs .*\(prod\)/);
  });

  it('an admin may do everything everywhere; an unknown principal nothing; names are plain keys', () => {
    expect(ask('ada', 'restore', 'hr', { replaceForeign: true })).toBeNull();
    expect(ask('mallory', 'failover', 'shop', { dryRun: true })).toMatch(/"mallory" is not in the role map/);
    expect(ask('toString', 'failover')).toMatch(/not in the role map/);
    expect(ask('constructor', 'failover', 'shop', { dryRun: true })).toBeNull();
  });

  it('without a role map everyone may do everything', () => {
    expect(authorize(null, { principal: 'anyone', operation: 'failover', domain: 'x', replaceForeign: true })).toBeNull();
  });
});

describe('parseRoleMap', () => {
  it('names the line at fault', () => {
    const bad = 'principals:\n  olga:\n    roles: [operator, wizard]\n    domains: [shop]\n';
    expect(() => parseRoleMap(bad, 'r.yaml')).toThrow(RoleMapError);
    expect(() => parseRoleMap(bad, 'r.yaml')).toThrow(/^r\.yaml:3: principals\.olga\.roles\.1: /);
    expect(() => parseRoleMap('principals:\n  a: { roles: [admin], domains: [x]\n', 'r.yaml')).toThrow(/^r\.yaml:\d+: /);
    expect(() => parseRoleMap('principals:\n  a: { roles: [admin], domains: [x], extra: 1 }\n', 'r.yaml')).toThrow(/^r\.yaml:2: /);
  });

  it('reads JSON too', () => {
    expect(parseRoleMap('{"principals": {"a": {"roles": ["admin"], "domains": ["*"]}}}', 'r.json').get('a')?.roles.has('admin')).toBe(true);
  });
});

describe('RoleMapSource', () => {
  it('is re-read on SIGHUP; a bad new version keeps the old one', () => {
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'authz-')), 'roles.yaml');
    writeFileSync(file, 'principals:\n  a: { roles: [viewer], domains: ["*"] }\n');
    const source = RoleMapSource.open(file, createLogger('test', 'silent'));
    try {
      expect(source.authorize({ principal: 'a', operation: 'failover', domain: 'x' })).not.toBeNull();
      writeFileSync(file, 'principals:\n  a: { roles: [operator], domains: ["*"] }\n');
      process.emit('SIGHUP', 'SIGHUP');
      expect(source.authorize({ principal: 'a', operation: 'failover', domain: 'x' })).toBeNull();
      writeFileSync(file, 'principals: [');
      process.emit('SIGHUP', 'SIGHUP');
      expect(source.authorize({ principal: 'a', operation: 'failover', domain: 'x' })).toBeNull();
    } finally {
      source.close();
    }
  });

  it('refuses to start on a bad file', () => {
    expect(() => RoleMapSource.open('/nonexistent/roles.yaml', createLogger('test', 'silent'))).toThrow(/cannot be read/);
  });
});

describe('principalOf', () => {
  it('needs a user_id and a JSON content type', () => {
    expect(principalOf({ userId: 'olga', contentType: 'application/cloudevents+json' })).toBe('olga');
    expect(principalOf({ userId: 'olga', contentType: 'application/json; charset=utf-8' })).toBe('olga');
    expect(() => principalOf({ contentType: 'application/json' })).toThrow(/no AMQP user_id/);
    expect(() => principalOf({ userId: 'olga', contentType: 'text/xml' })).toThrow(/content type "text\/xml" is not accepted/);
  });
});
