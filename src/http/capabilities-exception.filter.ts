import { Catch, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { IncomingHttpHeaders } from 'node:http';
import { CapabilitiesError } from '../errors';
import { acceptsHtml } from '../nest/capability.guard';
import { STATUS_OF } from './error-status';
import { escapeHtml, page } from './html';
import { LoginRedirect } from './login-redirect';
import { Responder } from './responder';

/**
 * Turns the module's typed errors into answers: `{statusCode, message, code}` as
 * JSON, or a small page for a browser; and the guard's login redirect into a 302.
 * Catches nothing else, so an application's own errors are left to it.
 */
@Catch(CapabilitiesError, LoginRedirect)
export class CapabilitiesExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('nest-capabilities');

  constructor(private readonly responder: Responder) {}

  catch(error: CapabilitiesError | LoginRedirect, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const response = http.getResponse<unknown>();
    if (error instanceof LoginRedirect) {
      this.responder.redirect(response, error.location);
      return;
    }
    const status = STATUS_OF[error.code] ?? 500;
    if (status >= 500) this.logger.error(`${error.code}: ${error.message}`);
    const headers = http.getRequest<{ headers: IncomingHttpHeaders }>().headers;
    if (acceptsHtml(headers)) {
      const body = `<h1>${status === 403 ? 'Not allowed' : 'Something went wrong'}</h1><p>${escapeHtml(error.message)}</p><p><a href="/">Back</a></p>`;
      this.responder.html(response, status, page('Error', body));
      return;
    }
    this.responder.json(response, status, { statusCode: status, message: error.message, code: error.code });
  }
}
