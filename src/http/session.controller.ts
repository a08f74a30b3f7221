import { Controller, Get, Inject, Post, Query, Req, Res, UseGuards } from '@nestjs/common';
import type { Principal } from '../capabilities/principal';
import { assertScope } from '../capabilities/scope';
import { AUTH_CONFIG } from '../nest/auth.constants';
import type { AuthConfig } from '../nest/auth-config';
import { CapabilityGuard } from '../nest/capability.guard';
import { CapabilityService } from '../nest/capability.service';
import { CurrentUser, Public } from '../nest/decorators';
import { mayBeBrowserNavigation } from '../session/assert-same-origin';
import { SessionCookie } from '../session/session-cookie';
import { confirmPage, needsConfirmation } from './pages/confirm-page';
import { ProviderSignOut } from './provider-sign-out';
import type { HttpRequest } from './request';
import { Responder } from './responder';

/** `/whoami` and `/logout`. */
@Controller()
@UseGuards(CapabilityGuard)
export class SessionController {
  constructor(
    @Inject(AUTH_CONFIG) private readonly config: AuthConfig,
    private readonly capabilities: CapabilityService,
    private readonly sessions: SessionCookie,
    private readonly responder: Responder,
    private readonly providerSignOut: ProviderSignOut,
  ) {}

  /**
   * Who the caller is and what it may use: globally, with what it may use at each scope
   * where its account has a grant; or, given `scope`, what it may use there.
   */
  @Get('whoami')
  whoami(@CurrentUser() user: Principal | null, @Query('scope') scope: unknown, @Res() response: unknown): void {
    const policy = this.capabilities.policy();
    const email = user?.email ?? null;
    if (scope !== undefined) {
      this.responder.json(response, 200, { user: email, capabilities: policy.effectiveAt(user, assertScope(scope)).toArray() });
      return;
    }
    const scopes: Record<string, readonly string[]> = {};
    if (user !== null) for (const [at] of policy.scopedGrantsOf(user.email)) scopes[at] = policy.effectiveAt(user, at).toArray();
    this.responder.json(response, 200, { user: email, capabilities: policy.effectiveFor(user).toArray(), scopes });
  }

  /**
   * Signs out by GET from this application's own pages; from anywhere else a browser
   * is asked to confirm (a page whose button POSTs) and other clients get 403, so no
   * site can sign its visitors out.
   */
  @Get('logout')
  @Public()
  async logout(@Req() request: HttpRequest, @Res() response: unknown): Promise<void> {
    const session = await this.sessions.read(request.headers.cookie);
    // A script signing its own session out shows no origin; the rule is for what a browser can be made to send.
    if (session !== null && mayBeBrowserNavigation(request.headers) && needsConfirmation(request.headers, this.config.baseUrl.origin)) {
      const page = confirmPage('Sign out', `Sign ${session.email} out of this application?`, `${this.config.prefix}/logout`, 'Sign out');
      this.responder.html(response, 200, page);
      return;
    }
    await this.endSession(request, response);
  }

  /** Signs out; the guard has refused it already when a session cookie came with a cross-site POST. */
  @Post('logout')
  @Public()
  logoutByPost(@Req() request: HttpRequest, @Res() response: unknown): Promise<void> {
    return this.endSession(request, response);
  }

  /** The provider sends the browser back here after signing out: the state must be the one it was sent with. */
  @Get('logout/done')
  @Public()
  async signedOutAtProvider(@Query('state') state: unknown, @Req() request: HttpRequest, @Res() response: unknown): Promise<void> {
    const { redirect, clearCookie } = await this.providerSignOut.finish(request.headers.cookie, state);
    this.responder.redirect(response, redirect, [clearCookie]);
  }

  /**
   * Ends the session everywhere (a copy of the cookie stops working too), then clears
   * the cookie; where its provider signs out too (`signOutAtProvider`), the browser
   * goes there next and comes back through `/logout/done`.
   */
  private async endSession(request: HttpRequest, response: unknown): Promise<void> {
    const session = await this.sessions.read(request.headers.cookie);
    if (session !== null) await this.sessions.end(session);
    const away = session === null ? undefined : await this.providerSignOut.begin(session);
    if (away !== undefined) {
      this.responder.redirect(response, away.location, [this.sessions.clear(), away.setCookie]);
      return;
    }
    this.responder.redirect(response, '/', [this.sessions.clear()]);
  }
}
