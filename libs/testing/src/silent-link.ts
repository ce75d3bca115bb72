import net from 'node:net';

/**
 * A TCP relay in front of a server that can go silent: while silenced, what either side sends is
 * held, as on a network that stops delivering (the server itself still up); restored, the held
 * bytes go on in order and the relay passes everything again. For "the server does not answer"
 * without signalling the server's process.
 */
export class SilentLink {
  private silenced = false;
  private held: Array<[net.Socket, Buffer]> = [];
  private readonly sockets = new Set<net.Socket>();

  private constructor(
    private readonly server: net.Server,
    readonly port: number,
  ) {}

  static async start(upstreamPort: number): Promise<SilentLink> {
    let link: SilentLink | undefined;
    const server = net.createServer((client) => link?.relay(client, net.connect(upstreamPort, '127.0.0.1')));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', resolve);
    });
    link = new SilentLink(server, (server.address() as net.AddressInfo).port);
    return link;
  }

  silence(): void {
    this.silenced = true;
  }

  restore(): void {
    this.silenced = false;
    for (const [to, chunk] of this.held) if (!to.destroyed) to.write(chunk);
    this.held = [];
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private relay(client: net.Socket, upstream: net.Socket): void {
    const close = () => {
      for (const s of [client, upstream]) {
        s.destroy();
        this.sockets.delete(s);
      }
    };
    for (const [from, to] of [
      [client, upstream],
      [upstream, client],
    ]) {
      this.sockets.add(from);
      from.on('data', (chunk: Buffer) => (this.silenced ? this.held.push([to, chunk]) : to.write(chunk)));
      from.on('end', () => to.end());
      from.on('error', close).on('close', close);
    }
  }
}
