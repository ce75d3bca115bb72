import { parseYaml } from '@jss/config';
import { z } from 'zod';

// The role map (JSS_AUTHZ_FILE): which broker user may do what on which protected domains.
//   principals: { <broker user>: { roles: [<role>...], domains: [<domain>... | "*"] } }
// JSON is valid YAML, so either may be written.

export const ROLES = ['viewer', 'tester', 'operator', 'admin'] as const;
export type Role = (typeof ROLES)[number];

const principal = z.strictObject({
  roles: z.array(z.enum(ROLES)).min(1).max(ROLES.length),
  domains: z.array(z.string().regex(/^(\*|[a-z0-9][a-z0-9-]{0,62})$/, 'a domain name or "*"')).max(10_000),
});
const roleMapSchema = z.strictObject({ principals: z.record(z.string().min(1).max(255), principal) });

export interface PrincipalRights {
  roles: ReadonlySet<Role>;
  /** null: every domain */
  domains: ReadonlySet<string> | null;
}

/** Principals by broker user name (a Map: a user called "__proto__" is just a name). */
export type RoleMap = ReadonlyMap<string, PrincipalRights>;

/** A role map that cannot be used; the message names the file and the line at fault. */
export class RoleMapError extends Error {
  override name = 'RoleMapError';
}

/** Parses and validates a role map; `file` is only for messages. */
export function parseRoleMap(text: string, file: string): RoleMap {
  const parsed = parseYaml(text, roleMapSchema);
  if ('fault' in parsed) throw new RoleMapError(`${file}:${parsed.fault.line}: ${parsed.fault.message}`);
  return new Map(
    Object.entries(parsed.data.principals).map(([user, p]) => [
      user,
      { roles: new Set(p.roles), domains: p.domains.includes('*') ? null : new Set(p.domains) },
    ]),
  );
}
