import { Controller, Post, Req, Res, UseGuards } from '@nestjs/common';
import { OAuthError } from '../errors';
import { CapabilityGuard } from '../nest/capability.guard';
import { ClientCredentialsGrant } from '../nest/client-credentials.grant';
import { Public } from '../nest/decorators';
import { STATUS_OF } from './error-status';
import type { HttpRequest } from './request';
import { Responder } from './responder';
import { addressOf, tokenRequestOf } from './token-request';

/** Kept out of every cache (RFC 6749 §5.1): the answer holds a credential. */
const NO_CACHE = { 'Cache-Control': 'no-store', Pragma: 'no-cache' } as const;

/**
 * `POST /token`: the OAuth 2.0 token endpoint, client-credentials grant (RFC 6749 §4.4).
 * Public to the guard: the client authenticates here, by its id and secret.
 */
@Controller()
@UseGuards(CapabilityGuard)
export class ClientTokenController {
  constructor(
    private readonly grant: ClientCredentialsGrant,
    private readonly responder: Responder,
  ) {}

  @Post('token')
  @Public()
  token(@Req() request: HttpRequest, @Res() response: unknown): void {
    let answer: object;
    try {
      answer = this.grant.grant(tokenRequestOf(request, addressOf(request)));
    } catch (error) {
      if (!(error instanceof OAuthError)) throw error;
      this.refuse(response, error);
      return;
    }
    this.answer(response, 200, answer);
  }

  /** RFC 6749 §5.2: `{"error", "error_description"}`; Basic asked for on `invalid_client`, a wait on `slow_down`. */
  private refuse(response: unknown, error: OAuthError): void {
    if (error.code === 'OAUTH_INVALID_CLIENT') this.responder.header(response, 'WWW-Authenticate', 'Basic realm="token"');
    if (error.retryAfterSeconds !== undefined) this.responder.header(response, 'Retry-After', String(error.retryAfterSeconds));
    this.answer(response, STATUS_OF[error.code], { error: error.oauthError, error_description: error.message });
  }

  private answer(response: unknown, status: number, body: object): void {
    for (const [name, value] of Object.entries(NO_CACHE)) this.responder.header(response, name, value);
    this.responder.json(response, status, body);
  }
}
