import type { NestFastifyApplication } from '@nestjs/platform-fastify';

/** socket.io's default path, where the example's gateway listens. */
const SOCKET_IO_PATH = '/socket.io/';

/**
 * On Fastify, GraphQL subscriptions (Mercurius, through `@fastify/websocket`) route every
 * WebSocket upgrade through Fastify, which answers socket.io's with 404 and closes the
 * socket under socket.io. Fastify lets go of socket.io's upgrades here; socket.io, listening
 * on the same server, completes them. Call before the application starts.
 */
export function leaveSocketIoUpgradesToSocketIo(app: NestFastifyApplication): void {
  app.getHttpAdapter().getInstance().addHook('onRequest', (request, reply, done) => {
    if (request.headers.upgrade?.toLowerCase() === 'websocket' && request.url.startsWith(SOCKET_IO_PATH)) reply.hijack();
    done();
  });
}
