import { Catch, Inject, Injectable, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { IncomingHttpHeaders } from 'node:http';
import type { Principal } from '../capabilities/principal';
import { AccessError, CapabilitiesError, LoginError, TokenError } from '../errors';
import { AUTH_CONFIG, PRINCIPAL } from '../nest/auth.constants';
import type { AuthConfig } from '../nest/auth-config';
import { graphQlDenial } from '../graphql/graphql-denial';
import { denialPage } from './pages/denial-page';
import { STATUS_OF } from './error-status';
import { acceptsHtml } from '../nest/access';
import { Responder } from './responder';

/** What a refusal reads of the request; the principal is there once the guard has run. */
export interface FailedRequest {
  readonly url: string;
  readonly originalUrl?: string;
  readonly headers: IncomingHttpHeaders;
  readonly [PRINCIPAL]?: Principal | null;
}

/**
 * Turns the module's typed errors into HTTP answers: `{statusCode, message, code}` as
 * JSON with `WWW-Authenticate: Bearer` on a denial (RFC 6750), or a small page for a
 * browser; and the guard's login redirect into a 302. Catches nothing else, so an
 * application's own errors are left to it. Also a provider of the module, so that the
 * bodies refused before Nest runs (`ParserRefusals`) are answered the same way.
 */
@Injectable()
@Catch(CapabilitiesError)
export class CapabilitiesExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('nest-capabilities');

  constructor(
    private readonly responder: Responder,
    @Inject(AUTH_CONFIG) private readonly config: AuthConfig,
  ) {}

  catch(error: CapabilitiesError, host: ArgumentsHost): void {
    if (host.getType<string>() === 'graphql') throw graphQlDenial(error, host.getArgByIndex(3));
    if (host.getType() !== 'http') throw error;
    const http = host.switchToHttp();
    const response = http.getResponse<unknown>();
    if (error instanceof AccessError && error.signInAt !== undefined) {
      this.responder.redirect(response, error.signInAt);
      return;
    }
    this.refuse(error, http.getRequest<FailedRequest>(), response);
  }

  /**
   * Answers `error` to `request`: the page for a browser (Accept text/html), the JSON
   * body for anyone else. The one place that decides how a refusal looks, for the
   * errors Nest hands this filter and for the bodies a parser refused before Nest.
   */
  refuse(error: CapabilitiesError, request: FailedRequest, response: unknown): void {
    const status = STATUS_OF[error.code] ?? 500;
    if (status >= 500) this.logger.error(`${error.code}: ${error.message}`);
    const challenge = bearerChallenge(error);
    if (challenge !== undefined) this.responder.header(response, 'WWW-Authenticate', challenge);
    if (acceptsHtml(request.headers)) {
      const denial = {
        status,
        code: error.code,
        message: error.message,
        capability: error instanceof AccessError ? error.capability : undefined,
        scope: error instanceof AccessError ? error.scope : undefined,
        principal: request[PRINCIPAL],
        here: error instanceof LoginError ? undefined : (request.originalUrl ?? request.url),
        prefix: this.config.prefix,
      };
      this.responder.html(response, status, denialPage(denial));
      return;
    }
    const scope = error instanceof AccessError && error.scope !== undefined ? { scope: error.scope } : {};
    this.responder.json(response, status, { statusCode: status, message: error.message, code: error.code, ...scope });
  }
}

/** The `WWW-Authenticate` value of a denial (RFC 6750 §3), or undefined for other errors. */
export function bearerChallenge(error: CapabilitiesError): string | undefined {
  if (error instanceof TokenError) return `Bearer error="invalid_token", error_description="${quotable(error.message)}"`;
  if (!(error instanceof AccessError)) return undefined;
  if (error.code === 'CAPABILITY_MISSING' && error.capability !== undefined) return `Bearer error="insufficient_scope", scope="${quotable(error.capability)}"`;
  return 'Bearer';
}

/** Text safe inside a quoted-string of a header: printable ASCII without `"` or `\`. */
function quotable(text: string): string {
  return text.replace(/[^\x20-\x7e]|["\\]/g, "'");
}
