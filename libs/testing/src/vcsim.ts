import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { stringify } from 'yaml';
import { z } from 'zod';
import { SoapClient, Vim, vimXml, type SiteFile } from '@jss/platform';
import { freePort } from './free-port';
import { SilentLink } from './silent-link';

/** The platforms an end-to-end suite runs against (describe.each). */
export const PLATFORM_BACKENDS = ['sim', 'vsphere'] as const;
export type PlatformBackend = (typeof PLATFORM_BACKENDS)[number];

/** A first build installs Debian's Go and govmomi (about 40 s) and compiles vcsim (about 20–90 s). */
export const VCSIM_SETUP_MS = 600_000;

const USER = 'jss';
const PASSWORD = 'vcsim-pass';
/** vcsim's DC0 with the simulated sites' names: recovery-net and recovery-test-net have DHCP. */
const PORT_GROUPS = { net: 'DC0_DVPG0', test: 'DC0_DVPG1', static: 'VM Network' };

const banner = z.object({ url: z.string().url(), datastores: z.record(z.string(), z.string()) });

/**
 * vcsim (govmomi's vCenter simulator) for one test installation, built and started through
 * scripts/vcsim.sh on 127.0.0.1, with a site file mapping the recovery site onto its DC0. Its
 * datastores live in a folder of their own, which outlives a restart of vcsim (as a datastore
 * outlives a restart of vCenter); its inventory does not. Clients reach it through a relay
 * (SilentLink) that freeze() silences.
 */
export class Vcsim {
  private constructor(
    private child: ChildProcess,
    private readonly script: string,
    private readonly args: string[],
    private readonly datastoreDir: string,
    /** vcsim's own address; clients get the relay's, `url` */
    private readonly upstream: string,
    private readonly link: SilentLink,
    readonly datastores: Record<string, string>,
  ) {}

  /** vCenter's address for clients (the relay in front of vcsim) */
  get url(): string {
    const url = new URL(this.upstream);
    url.port = String(this.link.port);
    return url.toString();
  }

  /** `tls`: https with a self-signed certificate (the services then need JSS_VSPHERE_INSECURE=true). */
  static async start(root: string, { tls = false }: { tls?: boolean } = {}): Promise<Vcsim> {
    const script = path.join(root, 'scripts', 'vcsim.sh');
    execFileSync('bash', [script, 'build'], { stdio: ['ignore', 'ignore', 'inherit'], timeout: VCSIM_SETUP_MS });
    const port = await freePort();
    const datastoreDir = mkdtempSync(path.join(os.tmpdir(), 'jss-vcsim-'));
    const args = [
      'start',
      String(port),
      '-user',
      USER,
      '-password',
      PASSWORD,
      '-portgroups',
      '2',
      '-dhcp',
      `${PORT_GROUPS.net},${PORT_GROUPS.test}`,
      '-datastores',
      datastoreDir,
      ...(tls ? ['-tls'] : []),
    ];
    const link = await SilentLink.start(port);
    try {
      const { child, url, datastores } = await launch(script, args);
      return new Vcsim(child, script, args, datastoreDir, url, link, datastores);
    } catch (err) {
      await link.close();
      rmSync(datastoreDir, { recursive: true, force: true });
      throw err;
    }
  }

  /** The site file of the recovery site on vcsim's DC0, written to `file`. */
  writeSiteFile(file: string): string {
    const site: SiteFile = {
      sites: {
        recovery: {
          datacenter: 'DC0',
          clusters: [{ name: 'recovery-cluster', vsphere: 'DC0_C0' }],
          datastores: [{ name: 'recovery-ds', vsphere: 'LocalDS_0', mountPath: this.datastores.LocalDS_0 }],
          networks: [
            { name: 'recovery-net', portGroup: PORT_GROUPS.net, dhcp: true, isolated: false, poolSize: 200 },
            { name: 'recovery-test-net', portGroup: PORT_GROUPS.test, dhcp: true, isolated: true, poolSize: 200 },
            {
              name: 'recovery-static-net',
              portGroup: PORT_GROUPS.static,
              dhcp: false,
              isolated: false,
              poolSize: 0,
              subnet: '10.22.0.0/24',
            },
          ],
        },
      },
      rocva: { cpus: 2, memoryMB: 4096, guestId: 'otherGuest64' },
      vm: { cpus: 1, memoryMB: 1024, guestId: 'otherGuest64' },
    };
    writeFileSync(file, stringify(site));
    return file;
  }

  /** The services' environment for this vcsim. */
  env(siteFile: string): NodeJS.ProcessEnv {
    return {
      JSS_PLATFORM: 'vsphere',
      JSS_VSPHERE_URL: this.url,
      JSS_VSPHERE_USER: USER,
      JSS_VSPHERE_PASSWORD: PASSWORD,
      JSS_VSPHERE_SITE_FILE: siteFile,
    };
  }

  /** Ends every session but the caller's, as an administrator or vCenter's idle timeout does; returns how many. */
  terminateSessions(): Promise<number> {
    return this.asAdmin(async (vim) => {
      const { sessionManager } = await vim.soap.content();
      const props = (await vim.get(sessionManager, ['currentSession', 'sessionList']))!.props;
      const { children, text } = vimXml;
      const own = text(props.get('currentSession'), 'key');
      const others = children(props.get('sessionList'), 'UserSession')
        .map((session) => text(session, 'key'))
        .filter((key): key is string => !!key && key !== own);
      if (others.length) await vim.soap.call('TerminateSession', sessionManager, { sessionId: others });
      return others.length;
    });
  }

  /**
   * A host joins cluster DC0_C0 but not the distributed switch of its port groups (DVS0), a
   * misconfiguration vCenter refuses: from then on every CreateVM_Task and ReconfigVM_Task with a NIC
   * on DC0_DVPG* in that cluster ends in error (InvalidArgument on the NIC's switchUuid). Returns the
   * repair: the host joins the switch (vcsim cannot remove a host from a cluster cleanly).
   */
  addHostOffSwitch(): Promise<() => Promise<void>> {
    return this.asAdmin(async (vim) => {
      const cluster = await named(vim, 'ClusterComputeResource', 'DC0_C0');
      const spec = { hostName: 'esx-off-switch.example', userName: 'root', password: 'x', force: true };
      const host = vimXml.moRef(await vim.runTask('AddHost_Task', cluster, { spec, asConnected: true }, 10_000))!;
      return () =>
        this.asAdmin(async (admin) => {
          const join = { $type: 'DVSConfigSpec', host: [{ operation: 'add', host }] };
          await admin.runTask('ReconfigureDvs_Task', await named(admin, 'DistributedVirtualSwitch', 'DVS0'), { spec: join }, 10_000);
        });
    });
  }

  /** A session of vCenter's administrator for one piece of work. */
  private async asAdmin<T>(work: (vim: Vim) => Promise<T>): Promise<T> {
    const vim = new Vim(new SoapClient({ url: this.url, user: USER, password: PASSWORD }));
    try {
      return await work(vim);
    } finally {
      await vim.soap.close();
    }
  }

  /**
   * vCenter stops answering until thaw(): the relay holds what either side sends (requests hang, as
   * on a network that stops delivering). Not SIGSTOP: in full CI runs a stopped vcsim was seen to
   * answer at once (cause not found), which made a test of this pass without the outage.
   */
  freeze(): void {
    this.link.silence();
  }

  thaw(): void {
    this.link.restore();
  }

  /** vCenter crashes (SIGKILL: its connections are reset, calls are refused) until restart(). */
  async kill(): Promise<void> {
    if (!this.running) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.kill('SIGKILL');
    await exited;
  }

  /** vcsim again on the same port and datastores, after kill(): a vCenter with its own VMs only, and no sessions. */
  async restart(): Promise<void> {
    await this.kill();
    const { child, url } = await launch(this.script, this.args);
    if (url !== this.upstream) throw new Error(`vcsim came back at ${url}, not ${this.upstream}`);
    this.child = child;
  }

  async stop(): Promise<void> {
    if (this.running) {
      const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
      this.child.kill('SIGTERM');
      await exited;
    }
    await this.link.close();
    rmSync(this.datastoreDir, { recursive: true, force: true });
  }

  private get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }
}

/** The object of a type and name in vCenter's inventory. */
async function named(vim: Vim, type: string, name: string) {
  const { rootFolder } = await vim.soap.content();
  const found = (await vim.listUnder(rootFolder, type, ['name'])).find((o) => o.props.get('name')?.text === name);
  if (!found) throw new Error(`vcsim has no ${type} ${name}`);
  return found.obj;
}

/** Starts vcsim.sh and waits for the line it prints once it listens. */
async function launch(script: string, args: string[]) {
  const child = spawn('bash', [script, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  const line = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.once('line', resolve);
    child.once('exit', (code) => reject(new Error(`vcsim exited (${code}) before it listened`)));
  });
  return { child, ...banner.parse(JSON.parse(line)) };
}
