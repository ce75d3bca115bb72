import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { stringify } from 'yaml';
import { z } from 'zod';
import { SoapClient, vimXml, type SiteFile } from '@jss/platform';
import { freePort } from './free-port';

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
 * scripts/vcsim.sh on 127.0.0.1, with a site file mapping the recovery site onto its DC0.
 */
export class Vcsim {
  private constructor(
    private readonly child: ChildProcess,
    readonly url: string,
    readonly datastores: Record<string, string>,
  ) {}

  /** `tls`: https with a self-signed certificate (the services then need JSS_VSPHERE_INSECURE=true). */
  static async start(root: string, { tls = false }: { tls?: boolean } = {}): Promise<Vcsim> {
    const script = path.join(root, 'scripts', 'vcsim.sh');
    execFileSync('bash', [script, 'build'], { stdio: ['ignore', 'ignore', 'inherit'], timeout: VCSIM_SETUP_MS });
    const port = await freePort();
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
      ...(tls ? ['-tls'] : []),
    ];
    const child = spawn('bash', [script, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    const line = await new Promise<string>((resolve, reject) => {
      const lines = createInterface({ input: child.stdout! });
      lines.once('line', resolve);
      child.once('exit', (code) => reject(new Error(`vcsim exited (${code}) before it listened`)));
    });
    const { url, datastores } = banner.parse(JSON.parse(line));
    return new Vcsim(child, url, datastores);
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
            { name: 'recovery-static-net', portGroup: PORT_GROUPS.static, dhcp: false, isolated: false, poolSize: 0 },
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
  async terminateSessions(): Promise<number> {
    const admin = new SoapClient({ url: this.url, user: USER, password: PASSWORD });
    try {
      const { propertyCollector, sessionManager } = await admin.content();
      const retrieved = await admin.call('RetrievePropertiesEx', propertyCollector, {
        specSet: {
          propSet: [{ type: 'SessionManager', pathSet: ['currentSession', 'sessionList'] }],
          objectSet: [{ obj: sessionManager }],
        },
        options: {},
      });
      const { child, children, text } = vimXml;
      const props = children(child(child(retrieved, 'returnval'), 'objects'), 'propSet');
      const value = (name: string) =>
        child(
          props.find((p) => text(p, 'name') === name),
          'val',
        );
      const own = text(value('currentSession'), 'key');
      const others = children(value('sessionList'), 'UserSession')
        .map((session) => text(session, 'key'))
        .filter((key): key is string => !!key && key !== own);
      if (others.length) await admin.call('TerminateSession', sessionManager, { sessionId: others });
      return others.length;
    } finally {
      await admin.close();
    }
  }

  /** vCenter stops answering (the process is stopped, its connections hang) until thaw(). */
  freeze(): void {
    this.child.kill('SIGSTOP');
  }

  thaw(): void {
    this.child.kill('SIGCONT');
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.kill('SIGCONT');
    this.child.kill('SIGTERM');
    await exited;
  }
}
