import { Inject, Injectable } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { IncomingHttpHeaders } from 'node:http';
import { LoginError } from '../../errors';
import { SessionCookie, type Session } from '../../session/session-cookie';
import { isRedirectProvider, type ProviderTokens } from '../../providers/sign-in-provider';
import { CLOCK } from '../auth.constants';
import { SignInProviders } from './sign-in-providers';
import { nowSeconds } from '../../clock';

/** An access token this close to its expiry (seconds) is refreshed before use. */
export const REFRESH_MARGIN_SECONDS = 60;

/**
 * The signed-in user's access token at the provider they signed in with, to call its
 * API on their behalf (Google Calendar, GitHub repositories, ...). The tokens travel
 * in the encrypted, HttpOnly session cookie; no server-side store holds them.
 *
 * @example
 * @Get('repos')
 * async repos(@Req() request: Request, @Res({ passthrough: true }) response: Response) {
 *   const token = await providerApiTokens.accessToken(request, response);
 *   return fetch('https://api.github.com/user/repos', { headers: { authorization: `Bearer ${token}` } }).then((r) => r.json());
 * }
 */
@Injectable()
export class ProviderApiTokens {
  constructor(
    private readonly sessions: SessionCookie,
    private readonly providers: SignInProviders,
    private readonly adapterHost: HttpAdapterHost,
    @Inject(CLOCK) private readonly now: () => number,
  ) {}

  /**
   * A usable access token for the user of `request`'s session cookie, or null when
   * the request carries no session or its provider gave no token (the development
   * sign-in, a bearer token). An access token about to expire is refreshed with the
   * refresh token (where offline access was asked for) and the session cookie
   * re-issued on `response`; without a refresh token it is a `LOGIN_EXPIRED` (401).
   */
  async accessToken(request: { readonly headers: IncomingHttpHeaders }, response: unknown): Promise<string | null> {
    const session = await this.sessions.read(request.headers.cookie);
    const tokens = session?.providerTokens;
    if (session === null || tokens === undefined) return null;
    if (!isExpiring(tokens, nowSeconds(this.now))) return tokens.accessToken;
    const fresh = await this.refreshed(session, tokens);
    this.adapterHost.httpAdapter.setHeader(response, 'Set-Cookie', await this.sessions.withTokens(session, fresh));
    return fresh.accessToken;
  }

  private async refreshed(session: Session, tokens: ProviderTokens): Promise<ProviderTokens> {
    const provider = this.providers.get(session.provider);
    const label = provider?.label ?? session.provider;
    if (tokens.refreshToken === undefined || provider === undefined || !isRedirectProvider(provider) || provider.refresh === undefined) {
      throw new LoginError('LOGIN_EXPIRED', `the ${label} access token has expired and cannot be refreshed; sign in again`);
    }
    return provider.refresh(tokens.refreshToken);
  }
}

/** Whether `tokens` expire within the refresh margin; a token without an expiry never does. */
export function isExpiring(tokens: ProviderTokens, nowSeconds: number): boolean {
  return tokens.expiresAt !== undefined && tokens.expiresAt - REFRESH_MARGIN_SECONDS <= nowSeconds;
}
