import { Controller, Get, Param, Req, Res, UseGuards } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { CapabilityGuard } from '../nest/capability.guard';
import { Public } from '../nest/decorators';
import { ProviderAccounts } from '../nest/sign-in/provider-accounts';
import { SignInProviders } from '../nest/sign-in/sign-in-providers';
import { LoginAttempts, assertLinkStartedBy } from '../session/login-attempt';
import { SessionCookie } from '../session/session-cookie';
import { assertHasCode, assertNoProviderError, assertSingleValuedParameters, callbackQueryOf } from './callback-checks';
import type { HttpRequest } from './request';
import { Responder } from './responder';
import { inSpan } from '../telemetry/spans';
import type { RedirectSignInProvider } from '../providers/sign-in-provider';

/** `GET /auth/:provider/callback`: where a provider sends the browser back. */
@Controller()
@Public()
@UseGuards(CapabilityGuard)
export class CallbackController {
  constructor(
    private readonly providers: SignInProviders,
    private readonly attempts: LoginAttempts,
    private readonly sessions: SessionCookie,
    private readonly accounts: ProviderAccounts,
    private readonly responder: Responder,
    private readonly adapterHost: HttpAdapterHost,
  ) {}

  @Get('auth/:provider/callback')
  callback(@Param('provider') name: string, @Req() request: HttpRequest, @Res() response: unknown): Promise<void> {
    const provider = this.providers.redirectNamed(name);
    return inSpan('nest_capabilities.sign_in', { provider: provider.name }, () => this.finish(provider, request, response));
  }

  private async finish(provider: RedirectSignInProvider, request: HttpRequest, response: unknown): Promise<void> {
    const query = callbackQueryOf(request.url);
    const state = query.get('state');
    // Whatever happens next this attempt is over, so its cookie goes, error answers included.
    const forget = state !== null && state.length > 0 && state.length <= 128 ? this.attempts.forget(request.headers.cookie, state) : undefined;
    if (forget !== undefined) this.adapterHost.httpAdapter.setHeader(response, 'Set-Cookie', forget);
    assertSingleValuedParameters(query);
    assertNoProviderError(query, provider.label);
    const { attempt, clearCookie } = await this.attempts.finish(request.headers.cookie, provider.name, state ?? undefined);
    assertLinkStartedBy(attempt, attempt.linkTo === undefined ? null : await this.sessions.read(request.headers.cookie));
    assertHasCode(query);
    const redirectUri = this.providers.redirectUri(provider.name);
    const callbackUrl = new URL(redirectUri);
    callbackUrl.search = query.toString();
    const identity = await provider.finish(callbackUrl, attempt, redirectUri);
    const email = await this.accounts.accountFor(provider.identitySource, identity, attempt);
    const session = await this.sessions.issue(email, provider.name, identity.tokens, identity.idToken);
    this.responder.redirect(response, attempt.redirect, [clearCookie, session]);
  }
}
