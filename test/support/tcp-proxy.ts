import { createServer, connect, type Server, type Socket } from 'node:net';
import type { TestContext } from 'node:test';

/**
 * A TCP proxy on a loopback port in front of `target`, which a test cuts (every
 * connection dropped, new ones refused) and restores, to stage an outage of one
 * instance's Redis while the others keep theirs.
 */
export class TcpProxy {
  private readonly sockets = new Set<Socket>();
  private open = true;

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  static async start(t: TestContext, target: { host: string; port: number }): Promise<TcpProxy> {
    const proxy = await TcpProxy.listen(target);
    t.after(() => proxy.close());
    return proxy;
  }

  /** A proxy its caller closes (outside a test: the bench). */
  static async listen(target: { host: string; port: number }): Promise<TcpProxy> {
    // A connection comes only once the server listens, and `proxy` is set in the same turn.
    const server = createServer((client) => proxy.accept(client, target));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const proxy = new TcpProxy(server, (server.address() as { port: number }).port);
    return proxy;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}/0`;
  }

  cut(): void {
    this.open = false;
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
  }

  restore(): void {
    this.open = true;
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: Socket, target: { host: string; port: number }): void {
    if (!this.open) {
      client.destroy();
      return;
    }
    const upstream = connect(target.port, target.host);
    for (const socket of [client, upstream]) {
      this.sockets.add(socket);
      socket.on('error', () => undefined);
      socket.on('close', () => {
        this.sockets.delete(socket);
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream);
    upstream.pipe(client);
  }
}
