import { Injectable } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { CapabilitiesExceptionFilter, type FailedRequest } from './capabilities-exception.filter';
import { ModuleRoutes } from './module-routes';
import { parserRefusalOf } from './parser-refusal';

/** An Express error handler: four parameters, as Express tells them apart. */
type ExpressErrorHandler = (error: unknown, request: FailedRequest, response: { headersSent: boolean }, next: (error?: unknown) => void) => void;

/** A Fastify route's error handler, called with the route's `this`. */
type FastifyErrorHandler = (this: unknown, error: unknown, request: FailedRequest, reply: unknown) => unknown;

/** The options of a route as Fastify's `onRoute` hook sees them, before the route is built. */
interface FastifyRouteOptions {
  readonly url: string;
  errorHandler?: FastifyErrorHandler;
}

/**
 * Answers a body that the application's parser refused, on the module's own routes,
 * as the module answers every refusal (`BODY_INVALID`, `BODY_TOO_LARGE`,
 * `MEDIA_TYPE_UNSUPPORTED`; JSON, or the denial page for a browser). The parser runs
 * before Nest routes the request, so its error reaches neither a guard nor a filter
 * of the module: on Express it passes through an error handler put after the parsers;
 * on Fastify through the error handler of each of the module's routes (Fastify answers
 * some of them itself, depending on when the application's plugins load). Every other
 * error, and every route of the application, keeps the answer it had.
 */
@Injectable()
export class ParserRefusals {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly filter: CapabilitiesExceptionFilter,
    private readonly routes: ModuleRoutes,
  ) {}

  /**
   * Hooks into the HTTP server; called once the parsers are in place and before Nest
   * registers the routes (the module's `configure`).
   */
  install(): void {
    const adapter = this.adapterHost.httpAdapter as typeof this.adapterHost.httpAdapter | undefined;
    if (adapter === undefined) return;
    const type = adapter.getType();
    if (type === 'express') adapter.getInstance<{ use(handler: ExpressErrorHandler): unknown }>().use(this.expressHandler());
    if (type === 'fastify') adapter.getInstance<{ addHook(name: 'onRoute', hook: (route: FastifyRouteOptions) => void): unknown }>().addHook('onRoute', (route) => this.onFastifyRoute(route));
  }

  private expressHandler(): ExpressErrorHandler {
    return (error, request, response, next) => {
      const refusal = this.routes.matchesPath(pathOf(request)) ? parserRefusalOf(error) : undefined;
      if (refusal === undefined || response.headersSent) {
        next(error);
        return;
      }
      this.filter.refuse(refusal, request, response);
    };
  }

  private onFastifyRoute(route: FastifyRouteOptions): void {
    if (!this.routes.matchesPath(route.url)) return;
    const own = route.errorHandler;
    const filter = this.filter;
    route.errorHandler = function (this: unknown, error, request, reply) {
      const refusal = parserRefusalOf(error);
      if (refusal !== undefined) return filter.refuse(refusal, request, reply);
      if (own !== undefined) return own.call(this, error, request, reply);
      // Thrown on to the error handler this route would have had without this one.
      throw error;
    };
  }
}

function pathOf(request: FailedRequest): string {
  const url = request.originalUrl ?? request.url;
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}
