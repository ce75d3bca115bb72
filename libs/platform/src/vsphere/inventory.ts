import { PlatformError } from '../platform';
import type { DatastoreDef, NetworkDef, SiteFile } from './site-file';
import type { Vim } from './vim';
import { MoRef, moRef } from './xml';

/** A site of the site file with the vCenter objects behind each of its names. */
export interface ResolvedSite {
  name: string;
  datacenter: MoRef;
  vmFolder: MoRef;
  clusters: Map<string, { ref: MoRef; resourcePool: MoRef }>;
  datastores: Map<string, { def: DatastoreDef; vsphere: string; ref: MoRef }>;
  networks: Map<string, { def: NetworkDef; ref: MoRef; backing: NicBacking }>;
}

/** How a NIC joins a port group: a standard one by name, a distributed one by switch uuid and key. */
export type NicBacking = { kind: 'standard'; name: string; ref: MoRef } | { kind: 'distributed'; switchUuid: string; portgroupKey: string };

/** `session`: the login it was resolved under, once resolved. */
interface Resolution {
  sites: Promise<Map<string, ResolvedSite>>;
  session?: number;
}

/**
 * Looks up the datacenters, clusters, datastores and port groups the site file names, failing with
 * the first name vCenter does not know. Kept while the session lasts; looked up again after a
 * failure, under a new session (the vCenter behind it may have restarted, or been restored, with
 * other references), and when a caller finds a reference vCenter no longer knows (forget()).
 */
export class Inventory {
  private cache: Resolution | null = null;

  constructor(
    private readonly vim: Vim,
    private readonly file: SiteFile,
  ) {}

  sites(): Promise<Map<string, ResolvedSite>> {
    if (this.cache?.session !== undefined && this.cache.session !== this.vim.soap.logins) this.cache = null;
    if (!this.cache) {
      const entry: Resolution = { sites: this.resolve() };
      this.cache = entry;
      entry.sites.then(
        () => (entry.session = this.vim.soap.logins),
        () => this.cache === entry && (this.cache = null),
      );
    }
    return this.cache.sites;
  }

  forget(): void {
    this.cache = null;
  }

  async site(name: string): Promise<ResolvedSite> {
    const site = (await this.sites()).get(name);
    if (!site) throw new PlatformError('unknown-site', `there is no site named ${name}`);
    return site;
  }

  private async resolve(): Promise<Map<string, ResolvedSite>> {
    const { rootFolder } = await this.vim.soap.content();
    const dcs = await this.vim.listUnder(rootFolder, 'Datacenter', ['name', 'vmFolder']);
    const sites = new Map<string, ResolvedSite>();
    for (const [name, def] of Object.entries(this.file.sites)) {
      const dc = dcs.find((d) => d.props.get('name')?.text === def.datacenter);
      if (!dc) throw new PlatformError('unknown-site', `site ${name}: vCenter has no datacenter ${def.datacenter}`);
      const [clusters, datastores, networks] = await Promise.all([
        this.vim.listUnder(dc.obj, 'ClusterComputeResource', ['name', 'resourcePool']),
        this.vim.listUnder(dc.obj, 'Datastore', ['name']),
        this.vim.listUnder(dc.obj, 'Network', ['name']),
      ]);
      const find = (list: typeof clusters, kind: string, want: string) => {
        const found = list.find((o) => o.props.get('name')?.text === want);
        if (!found) throw new PlatformError('unknown-site', `site ${name}: datacenter ${def.datacenter} has no ${kind} named ${want}`);
        return found;
      };
      const site: ResolvedSite = {
        name,
        datacenter: dc.obj,
        vmFolder: moRef(dc.props.get('vmFolder'))!,
        clusters: new Map(),
        datastores: new Map(),
        networks: new Map(),
      };
      for (const c of def.clusters) {
        const found = find(clusters, 'cluster', c.vsphere ?? c.name);
        site.clusters.set(c.name, { ref: found.obj, resourcePool: moRef(found.props.get('resourcePool'))! });
      }
      for (const d of def.datastores) {
        const vsphere = d.vsphere ?? d.name;
        site.datastores.set(d.name, { def: d, vsphere, ref: find(datastores, 'datastore', vsphere).obj });
      }
      for (const n of def.networks) {
        const found = find(networks, 'port group', n.portGroup);
        site.networks.set(n.name, { def: n, ref: found.obj, backing: await this.backing(found.obj, n.portGroup) });
      }
      sites.set(name, site);
    }
    return sites;
  }

  private async backing(ref: MoRef, name: string): Promise<NicBacking> {
    if (ref.type !== 'DistributedVirtualPortgroup') return { kind: 'standard', name, ref };
    const pg = await this.vim.get(ref, ['key', 'config.distributedVirtualSwitch']);
    const dvs = moRef(pg?.props.get('config.distributedVirtualSwitch'));
    const uuid = dvs ? (await this.vim.get(dvs, ['uuid']))?.props.get('uuid')?.text : undefined;
    const key = pg?.props.get('key')?.text;
    if (!uuid || !key) throw new PlatformError('unknown-network', `port group ${name}: vCenter did not say its switch and key`);
    return { kind: 'distributed', switchUuid: uuid, portgroupKey: key };
  }
}
