import type { Operation } from '@jss/contract';
import type { Role, RoleMap } from './role-map';

/** What is asked: an operation on a domain (for cancel, test-cleanup and a cut-over: the stored task's domain). */
export interface Request {
  principal: string;
  operation: Operation;
  domain: string;
  dryRun?: boolean;
  /** a restore that replaces a VM the system did not recover for this domain */
  replaceForeign?: boolean;
  /** those VMs (named in the refusal) */
  vms?: string[];
}

/** a drill is a recurring test failover: a tester may schedule one */
const TESTER_OPERATIONS: readonly Operation[] = ['test-failover', 'test-cleanup', 'drill-schedule', 'drill-unschedule'];
/** Reading, like a dry run: any role. */
const VIEWER_OPERATIONS: readonly Operation[] = ['plan-show'];

/** Roles that allow the request, ignoring domains. */
function rolesFor(r: Request): Role[] {
  if (r.replaceForeign) return ['admin'];
  const roles: Role[] = ['operator', 'admin'];
  if (TESTER_OPERATIONS.includes(r.operation)) roles.push('tester');
  if (r.dryRun || VIEWER_OPERATIONS.includes(r.operation)) roles.push('viewer', 'tester');
  return roles;
}

/**
 * null when allowed, else why not (a sentence naming principal, operation and domain). Without a
 * role map (no JSS_AUTHZ_FILE) every authenticated principal may do everything.
 */
export function authorize(map: RoleMap | null, r: Request): string | null {
  if (!map) return null;
  const foreign = r.vms?.length ? ` (${r.vms.slice(0, 3).join(', ')}${r.vms.length > 3 ? ', ...' : ''})` : '';
  const what = `${r.replaceForeign ? `replace VMs the system did not recover for the domain${foreign} in a ` : ''}${r.dryRun ? 'dry run of ' : ''}${r.operation}`;
  const rights = map.get(r.principal);
  if (!rights) return `principal "${r.principal}" is not in the role map; it may not ${what} on domain "${r.domain}"`;
  const allowed = rolesFor(r).filter((role) => rights.roles.has(role));
  if (!allowed.length) {
    return `principal "${r.principal}" (roles ${[...rights.roles].join(', ')}) may not ${what} on domain "${r.domain}"`;
  }
  // admin: every domain
  if (allowed.includes('admin') || rights.domains === null || rights.domains.has(r.domain)) return null;
  return `principal "${r.principal}" may not ${what} on domain "${r.domain}" (its domains: ${[...rights.domains].join(', ') || 'none'})`;
}
