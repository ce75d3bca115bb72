// A link shaped like a distant region (rows S3.L*, AZ.L*): a TCP proxy in front of the store server
// that forwards what the client sends `delay` ms after it arrived and the answers at once, so each
// request's first byte of answer comes `delay` ms later than on the direct path (one round trip of
// a region that far away; bandwidth unchanged). A process of its own, so that the bench can pin it
// with the server and count its CPU on the server's side:
//   node link-proxy.js <upstream port> <delay ms>   prints the port it listens on (127.0.0.1), then serves
import { ChildProcess, spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { createInterface } from 'node:readline';

/** Serves until the process is stopped. */
function serve(upstreamPort: number, delayMs: number): Promise<number> {
  const server = net.createServer((client) => {
    const upstream = net.connect(upstreamPort, '127.0.0.1');
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    upstream.pipe(client);
    // timers of one duration fire in the order they were set: the bytes keep their order
    client.on('data', (chunk) => setTimeout(() => upstream.write(chunk), delayMs));
    client.on('end', () => setTimeout(() => upstream.end(), delayMs));
    const close = () => (client.destroy(), upstream.destroy());
    for (const s of [client, upstream]) s.on('error', close).on('close', close);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port));
  });
}

export interface LinkProxy {
  port: number;
  pid: number;
  close(): Promise<void>;
}

/** Starts the proxy process in front of 127.0.0.1:`upstreamPort`. */
export async function startLinkProxy(upstreamPort: number, delayMs: number): Promise<LinkProxy> {
  const child: ChildProcess = spawn(process.execPath, [path.join(__dirname, 'link-proxy.js'), String(upstreamPort), String(delayMs)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`the link proxy exited with ${code} before listening`)));
  });
  return {
    port: Number(line),
    pid: child.pid!,
    close: async () => {
      child.kill();
      await exited;
    },
  };
}

if (require.main === module) {
  serve(Number(process.argv[2]), Number(process.argv[3])).then(
    (port) => process.stdout.write(`${port}\n`),
    (err: unknown) => {
      console.error(err);
      process.exitCode = 1;
    },
  );
}
