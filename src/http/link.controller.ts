import { Controller, Get, Inject, Param, Post, Query, Req, Res, UseGuards } from '@nestjs/common';
import type { Principal } from '../capabilities/principal';
import { LoginError } from '../errors';
import { AUTH_CONFIG } from '../nest/auth.constants';
import type { AuthConfig } from '../nest/auth-config';
import { CapabilityGuard } from '../nest/capability.guard';
import { CurrentUser } from '../nest/decorators';
import { accessDenied, assertAccess } from '../nest/access';
import { ProviderAccounts } from '../nest/sign-in/provider-accounts';
import { SignInProviders } from '../nest/sign-in/sign-in-providers';
import { LoginAttempts } from '../session/login-attempt';
import { safeRedirectPath } from '../session/safe-redirect';
import { SessionCookie } from '../session/session-cookie';
import { confirmPage, needsConfirmation } from './pages/confirm-page';
import type { HttpRequest } from './request';
import { Responder } from './responder';

/**
 * `GET /link/:provider?redirect=/path`: a signed-in user adds a second way to sign
 * in. The flow is a sign-in with that provider, finished by the same callback; the
 * provider's identity is then linked to the user's account in the store, and either
 * sign-in reaches the same account and capabilities from then on. It starts only from
 * this application's own pages (a same-origin GET, or `POST /link/:provider` through
 * the cross-site checks); a browser sent from elsewhere is asked to confirm.
 */
@Controller()
@UseGuards(CapabilityGuard)
export class LinkController {
  constructor(
    @Inject(AUTH_CONFIG) private readonly config: AuthConfig,
    private readonly providers: SignInProviders,
    private readonly attempts: LoginAttempts,
    private readonly accounts: ProviderAccounts,
    private readonly sessions: SessionCookie,
    private readonly responder: Responder,
  ) {}

  /** A POST has passed the guard's cross-site checks already: the confirmation page's button posts here. */
  @Post('link/:provider')
  linkByPost(
    @Param('provider') name: string,
    @Query('redirect') redirect: unknown,
    @CurrentUser() user: Principal | null,
    @Req() request: HttpRequest,
    @Res() response: unknown,
  ): Promise<void> {
    return this.link(name, redirect, user, request, response);
  }

  @Get('link/:provider')
  async link(
    @Param('provider') name: string,
    @Query('redirect') redirect: unknown,
    @CurrentUser() user: Principal | null,
    @Req() request: HttpRequest,
    @Res() response: unknown,
  ): Promise<void> {
    const provider = this.providers.redirectNamed(name);
    const back = safeRedirectPath(redirect);
    const here = `${this.config.prefix}/link/${provider.name}?redirect=${encodeURIComponent(back)}`;
    assertAccess(user, { returnTo: { headers: request.headers, prefix: this.config.prefix, here } });
    assertLinkableBy(user);
    if (!this.accounts.linking) throw new LoginError('LOGIN_REFUSED', 'account linking is not available with this capability store');
    if (request.method !== 'POST' && needsConfirmation(request.headers, this.config.baseUrl.origin)) {
      this.responder.html(response, 200, confirmPage(`Link ${provider.label}`, `Add ${provider.label} as a way to sign in to ${user.email}?`, here, 'Link'));
      return;
    }
    const session = await this.sessions.read(request.headers.cookie);
    if (session === null) throw accessDenied(null, {});
    const { attempt, setCookie } = await this.attempts.begin(
      // Bound to this very session: the callback links only for the session that started it.
      { provider: provider.name, redirect: back, linkTo: user.email, linkSession: session.sessionId, ...provider.secrets() },
      request.headers.cookie,
    );
    const url = await provider.authorizationUrl(attempt, this.providers.redirectUri(provider.name));
    this.responder.redirect(response, url.href, [setCookie]);
  }

}

/** Throws `LOGIN_REFUSED` unless a person signed in through the browser asks: not a token, not a service account. */
export function assertLinkableBy(user: Principal): void {
  if (user.kind !== 'user' || user.via !== 'session') {
    throw new LoginError('LOGIN_REFUSED', 'link providers from a browser session, not with a bearer token');
  }
}
