import { createServer } from 'node:net';

/** A port free on 127.0.0.1 now, for a server that must know its URL before it listens. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/**
 * `start(port)` on a port found free, again on another one when something took it before
 * `start` listened (EADDRINUSE), at most `attempts` times. For a server whose URL holds
 * its port, so it cannot listen on port 0. `start` cleans up after itself when it fails.
 */
export async function onFreePort<T>(start: (port: number) => Promise<T>, attempts = 5): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    try {
      return await start(port);
    } catch (error) {
      if (attempt >= attempts || !isAddressInUse(error)) throw error;
    }
  }
}

function isAddressInUse(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === 'EADDRINUSE' || (error instanceof Error && error.message.includes('EADDRINUSE'));
}
