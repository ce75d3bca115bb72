import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { BlobServiceClient } from '@azure/storage-blob';
import { ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, openSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from './free-port';

/** The stores every parametrised end-to-end suite runs against (`describe.each(STORE_BACKENDS)`). */
export const STORE_BACKENDS = ['file', 's3', 'azure'] as const;
export type StoreBackend = (typeof STORE_BACKENDS)[number];

/** Azurite's development account: a published, well-known key (not a secret). */
export const AZURITE_ACCOUNT = 'devstoreaccount1';
export const AZURITE_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';
const BUCKET = 'jss-replicas';
const PREFIX = 'replicas';

/** The repository root: where node_modules (and so the servers, npm devDependencies) are. */
function repositoryRoot(): string {
  return path.dirname(require.resolve('azurite/package.json')).replace(/[\\/]node_modules[\\/].*$/, '');
}

/**
 * fauxqs keeps objects in memory; this child process holds them across a stop and a start (on IPC
 * messages), so that a test can take the server away and bring it back with the same data. The
 * listener is bound to 127.0.0.1 (fauxqs' own startFauxqs binds 0.0.0.0).
 */
const FAUXQS_MAIN = `
const root = process.env.FAUXQS_ROOT;
const { buildApp } = await import('fauxqs');
const { S3Store } = await import(new URL('file://' + root + '/node_modules/fauxqs/dist/s3/s3Store.js').href);
const s3Store = new S3Store();
const port = Number(process.env.FAUXQS_PORT);
let app = null;
const sockets = new Set();
async function up() {
  app = buildApp({ logger: false, stores: { s3Store } });
  app.server.on('connection', (socket) => { sockets.add(socket); socket.on('close', () => sockets.delete(socket)); });
  await app.listen({ port, host: '127.0.0.1' });
}
process.on('message', async (msg) => {
  try {
    // down means down: busy keep-alive connections too (closing the listener alone lets them go on serving)
    if (msg === 'down' && app) { const closing = app.close(); for (const s of sockets) s.destroy(); await closing; app = null; }
    if (msg === 'up' && !app) await up();
    process.send(msg);
  } catch (err) { process.send('error: ' + err.message); }
});
process.on('disconnect', () => process.exit(0));
await up();
process.send('up');
`;

/** An S3 server (fauxqs) or Azurite on a free port of 127.0.0.1, with a bucket / container made. */
export class StoreServer {
  private child: ChildProcess | null = null;

  private constructor(
    readonly kind: 's3' | 'azure',
    readonly port: number,
    private readonly dir: string,
  ) {}

  /** Starts the server; `dir` holds its log (and Azurite's data, which survives a restart). */
  static async start(kind: 's3' | 'azure', dir: string): Promise<StoreServer> {
    const server = new StoreServer(kind, await freePort(), dir);
    mkdirSync(dir, { recursive: true });
    try {
      await server.up();
      await server.createBucket();
    } catch (err) {
      await server.close();
      throw err;
    }
    return server;
  }

  /** the server's process (for its RSS in the bench) */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  get endpoint(): string {
    return this.kind === 's3' ? `http://127.0.0.1:${this.port}` : `http://127.0.0.1:${this.port}/${AZURITE_ACCOUNT}`;
  }

  /** The environment that points the services at this server (the SDKs' standard variables). */
  env(overrides: { accountKey?: string } = {}): Record<string, string> {
    if (this.kind === 's3') {
      return {
        JSS_STORE_URL: `s3://${BUCKET}/${PREFIX}`,
        JSS_S3_FORCE_PATH_STYLE: 'true',
        AWS_ENDPOINT_URL_S3: this.endpoint,
        AWS_REGION: 'us-east-1',
        AWS_ACCESS_KEY_ID: 'jss-test',
        AWS_SECRET_ACCESS_KEY: 'jss-test-secret',
      };
    }
    const key = overrides.accountKey ?? AZURITE_KEY;
    return {
      JSS_STORE_URL: `azure://${BUCKET}/${PREFIX}`,
      AZURE_STORAGE_CONNECTION_STRING: `DefaultEndpointsProtocol=http;AccountName=${AZURITE_ACCOUNT};AccountKey=${key};BlobEndpoint=${this.endpoint};`,
    };
  }

  /** Takes the server away: fauxqs closes its listener (keeping its objects), Azurite exits. */
  async stop(): Promise<void> {
    if (this.kind === 's3') return this.tell('down');
    await this.exit();
  }

  /** Brings the server back on the same port. */
  async restart(): Promise<void> {
    if (this.kind === 's3') return this.tell('up');
    await this.up();
  }

  /** Stops the server for good. */
  async close(): Promise<void> {
    await this.exit();
  }

  private async up(): Promise<void> {
    if (this.child && this.kind === 'azure') return;
    const root = repositoryRoot();
    const log = openSync(path.join(this.dir, `${this.kind}-server.log`), 'a');
    if (this.kind === 's3') {
      this.child = spawn(process.execPath, ['--input-type=module', '-e', FAUXQS_MAIN], {
        cwd: root,
        env: { ...process.env, FAUXQS_ROOT: root, FAUXQS_PORT: String(this.port) },
        stdio: ['ignore', log, log, 'ipc'],
      });
      await this.reply('up');
    } else {
      const main = path.join(root, 'node_modules', 'azurite', 'dist', 'src', 'blob', 'main.js');
      const args = ['--blobHost', '127.0.0.1', '--blobPort', String(this.port), '--silent', '--disableTelemetry', '--skipApiVersionCheck'];
      this.child = spawn(process.execPath, [main, ...args, '--location', path.join(this.dir, 'azurite')], {
        cwd: root,
        stdio: ['ignore', log, log],
      });
      await this.listening();
    }
  }

  private async createBucket(): Promise<void> {
    if (this.kind === 's3') {
      const env = this.env();
      const client = new S3Client({
        endpoint: this.endpoint,
        region: env.AWS_REGION,
        forcePathStyle: true,
        credentials: { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY },
      });
      await client.send(new CreateBucketCommand({ Bucket: BUCKET }));
      client.destroy();
    } else {
      await BlobServiceClient.fromConnectionString(this.env().AZURE_STORAGE_CONNECTION_STRING)
        .getContainerClient(BUCKET)
        .createIfNotExists();
    }
  }

  private async tell(msg: 'up' | 'down'): Promise<void> {
    this.child!.send(msg);
    await this.reply(msg);
  }

  private reply(expected: string): Promise<void> {
    const child = this.child!;
    return new Promise((resolve, reject) => {
      const onMessage = (msg: unknown) => {
        child.off('exit', onExit);
        child.off('message', onMessage);
        if (msg === expected) resolve();
        else reject(new Error(`the S3 server answered "${String(msg)}"; see ${this.dir}`));
      };
      const onExit = (code: number | null) => reject(new Error(`the S3 server exited with code ${code}; see ${this.dir}`));
      child.on('message', onMessage);
      child.once('exit', onExit);
    });
  }

  /** Waits until the port accepts connections (Azurite prints nothing with --silent). */
  private async listening(): Promise<void> {
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      if (this.child?.exitCode !== null) throw new Error(`Azurite exited with code ${this.child?.exitCode}; see ${this.dir}`);
      const open = await new Promise<boolean>((resolve) => {
        const socket = net.connect(this.port, '127.0.0.1', () => resolve(true)).once('error', () => resolve(false));
        socket.unref();
        setTimeout(() => socket.destroy(), 1000).unref();
      });
      if (open) return;
      await sleep(100);
    }
    throw new Error(`Azurite did not listen on port ${this.port} within 30 s; see ${this.dir}`);
  }

  private async exit(): Promise<void> {
    const child = this.child;
    this.child = null;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    if (!(await Promise.race([exited.then(() => true), sleep(10_000, false, { ref: false })]))) child.kill('SIGKILL');
    await exited;
  }
}
