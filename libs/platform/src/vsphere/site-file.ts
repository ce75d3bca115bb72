import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { z } from 'zod';
import { subnetFault } from '../subnet';

// The site file (JSS_VSPHERE_SITE_FILE): what vCenter cannot say itself. Which datacenter is which
// site, the clusters, datastores and port groups the services may use, under the names commands use,
// which port groups have DHCP or are isolated, where the workers reach each datastore's files, and
// the RocVA's template and size.

const name = z.string().min(1).max(80);

const cluster = z.object({ name, vsphere: name.optional() }).strict();

const datastore = z
  .object({
    name,
    /** the datastore's name in vCenter (default: name) */
    vsphere: name.optional(),
    /** where every rehydrator reaches the datastore's files (an NFS export mounted on the workers) */
    mountPath: z.string().min(1),
  })
  .strict();

const network = z
  .object({
    name,
    /** the port group (standard or distributed) in vCenter */
    portGroup: name,
    dhcp: z.boolean(),
    isolated: z.boolean().default(false),
    /** addresses the DHCP scope can hand out to the system's VMs at once */
    poolSize: z.number().int().min(0).default(200),
    /** the port group's IPv4 range (CIDR), which vCenter does not know; static addresses must lie in it */
    subnet: z
      .string()
      .superRefine((cidr, ctx) => {
        const fault = subnetFault(cidr);
        if (fault) ctx.addIssue({ code: 'custom', message: fault });
      })
      .optional(),
  })
  .strict();

const site = z
  .object({
    datacenter: name,
    clusters: z.array(cluster).min(1),
    datastores: z.array(datastore).min(1),
    networks: z.array(network).min(1),
  })
  .strict();

const vmSize = z
  .object({
    cpus: z.number().int().min(1).max(128),
    memoryMB: z.number().int().min(4),
    guestId: z.string().min(1).default('otherGuest64'),
  })
  .strict();

export const siteFileSchema = z
  .object({
    sites: z.record(name, site).refine((sites) => Object.keys(sites).length > 0, 'at least one site'),
    rocva: vmSize.extend({ template: name.optional() }).default({ cpus: 2, memoryMB: 4096, guestId: 'otherGuest64' }),
    /** RVMs, Test VMs and recovered VMs */
    vm: vmSize.default({ cpus: 1, memoryMB: 1024, guestId: 'otherGuest64' }),
  })
  .strict();

export type SiteFile = z.infer<typeof siteFileSchema>;
export type SiteDef = SiteFile['sites'][string];
export type NetworkDef = SiteDef['networks'][number];
export type DatastoreDef = SiteDef['datastores'][number];

/** Reads and checks a site file; the error names the file and every bad field. */
export function loadSiteFile(file: string): SiteFile {
  let raw: unknown;
  try {
    raw = parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`cannot read the vSphere site file ${file}: ${(err as Error).message}`);
  }
  const parsed = siteFileSchema.safeParse(raw);
  if (!parsed.success) {
    const bad = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`invalid vSphere site file ${file}: ${bad}`);
  }
  const sites = Object.values(parsed.data.sites);
  for (const kind of ['clusters', 'datastores', 'networks'] as const) {
    const names = sites.flatMap((s) => s[kind].map((x) => x.name));
    const twice = names.find((n, i) => names.indexOf(n) !== i);
    if (twice) throw new Error(`invalid vSphere site file ${file}: ${kind} has ${twice} twice (names are unique across sites)`);
  }
  return parsed.data;
}
