import type { IncomingHttpHeaders } from 'node:http';

/** The parts of a request the module's controllers read, on Express and Fastify alike. */
export interface HttpRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body?: unknown;
}
