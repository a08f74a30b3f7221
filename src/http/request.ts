import type { IncomingHttpHeaders } from 'node:http';

/** The parts of a request the module's controllers read, on Express and Fastify alike. */
export interface HttpRequest {
  readonly method: string;
  readonly url: string;
  /** The path as the client asked for it, where the server keeps it apart from `url` (Express, Fastify). */
  readonly originalUrl?: string;
  readonly headers: IncomingHttpHeaders;
  readonly body?: unknown;
}
