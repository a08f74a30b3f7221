import { Controller, Get, Inject, Param, Post, Query, Req, Res, UseGuards } from '@nestjs/common';
import { AUTH_CONFIG } from '../nest/auth.constants';
import type { AuthConfig } from '../nest/auth-config';
import { CapabilityGuard } from '../nest/capability.guard';
import { CapabilityService } from '../nest/capability.service';
import { Public } from '../nest/decorators';
import { DEV_PROVIDER } from '../providers/dev/dev-sign-in';
import { devAccounts, devSignInPage } from './pages/dev-sign-in.page';
import { accountEmailOf } from '../providers/sign-in';
import { isRedirectProvider } from '../providers/sign-in-provider';
import { SignInProviders } from '../nest/sign-in/sign-in-providers';
import { LoginError } from '../errors';
import { LoginAttempts } from '../session/login-attempt';
import { safeRedirectPath } from '../session/safe-redirect';
import { SessionCookie } from '../session/session-cookie';
import { escapeHtml, HOME_LINK, page } from './pages/html';
import type { HttpRequest } from './request';
import { assertUtf8Body } from './request-body';
import { Responder } from './responder';
import { inSpan } from '../telemetry/spans';

/** `/login`, `/login/:provider` and the development sign-in. */
@Controller()
@Public()
@UseGuards(CapabilityGuard)
export class LoginController {
  constructor(
    @Inject(AUTH_CONFIG) private readonly config: AuthConfig,
    private readonly providers: SignInProviders,
    private readonly attempts: LoginAttempts,
    private readonly sessions: SessionCookie,
    private readonly responder: Responder,
    private readonly capabilities: CapabilityService,
  ) {}

  @Get('login')
  login(@Query('redirect') redirect: unknown, @Res() response: unknown): void {
    const target = encodeURIComponent(safeRedirectPath(redirect));
    const providers = this.providers.all();
    if (providers.length === 1) {
      this.responder.redirect(response, `${this.config.prefix}/login/${providers[0]!.name}?redirect=${target}`);
      return;
    }
    const buttons = providers
      .map((provider) => `<p><a class="button" href="${this.config.prefix}/login/${escapeHtml(provider.name)}?redirect=${target}">Sign in with ${escapeHtml(provider.label)}</a></p>`)
      .join('\n');
    const body = providers.length === 0 ? '<p>No sign-in provider is configured.</p>' : buttons;
    this.responder.html(response, 200, page('Sign in', `<h1>Sign in</h1>\n${body}\n<p>${HOME_LINK}</p>`));
  }

  @Get('login/:provider')
  async start(@Param('provider') name: string, @Query('redirect') redirect: unknown, @Req() request: HttpRequest, @Res() response: unknown): Promise<void> {
    const provider = this.providers.named(name);
    if (!isRedirectProvider(provider)) {
      const { attempt, setCookie } = await this.attempts.begin({ provider: provider.name, redirect: safeRedirectPath(redirect) }, request.headers.cookie);
      this.responder.html(response, 200, devSignInPage(attempt.state, devAccounts(this.capabilities.policy())), [setCookie], { showsSecret: true });
      return;
    }
    const { attempt, setCookie } = await this.attempts.begin(
      { provider: provider.name, redirect: safeRedirectPath(redirect), ...provider.secrets() },
      request.headers.cookie,
    );
    const url = await provider.authorizationUrl(attempt, this.providers.redirectUri(provider.name));
    this.responder.redirect(response, url.href, [setCookie]);
  }

  /** The development form: finishes the attempt exactly as a provider's callback would. */
  @Post('login/dev')
  finishDev(@Req() request: HttpRequest, @Res() response: unknown): Promise<void> {
    this.providers.named(DEV_PROVIDER.name);
    return inSpan('nest_capabilities.sign_in', { provider: DEV_PROVIDER.name }, () => this.signInFromForm(request, response));
  }

  private async signInFromForm(request: HttpRequest, response: unknown): Promise<void> {
    assertUtf8Body(request.headers);
    const form = (request.body ?? {}) as Record<string, unknown>;
    const { attempt, clearCookie } = await this.attempts.finish(request.headers.cookie, DEV_PROVIDER.name, form['state']);
    if (typeof form['email'] !== 'string') throw new LoginError('LOGIN_REFUSED', 'sign-in refused: an email is required');
    const email = accountEmailOf(form['email']);
    const session = await this.sessions.issue(email, DEV_PROVIDER.name);
    this.responder.redirect(response, attempt.redirect, [clearCookie, session]);
  }
}
