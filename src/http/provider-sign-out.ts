import { Inject, Injectable, Logger } from '@nestjs/common';
import { AUTH_CONFIG } from '../nest/auth.constants';
import type { AuthConfig } from '../nest/auth-config';
import { isRedirectProvider } from '../providers/sign-in-provider';
import { SignInProviders } from '../nest/sign-in/sign-in-providers';
import { LoginAttempts } from '../session/login-attempt';
import type { Session } from '../session/session-cookie';

/** The attempt's provider name of a sign-out: no sign-in provider is named so, so neither attempt passes for the other. */
const SIGN_OUT = 'sign-out';

/**
 * Sign-out at the provider (OpenID Connect RP-Initiated Logout 1.0): after the local
 * session has ended, the browser goes to the provider's `end_session_endpoint` with
 * `id_token_hint`, `post_logout_redirect_uri` and a `state`, which is remembered in a
 * short-lived cookie like a sign-in attempt and checked when the browser comes back.
 *
 * @example
 * const away = await providerSignOut.begin(session); // undefined: nothing to do at the provider
 */
@Injectable()
export class ProviderSignOut {
  private readonly logger = new Logger('nest-capabilities');

  constructor(
    @Inject(AUTH_CONFIG) private readonly config: AuthConfig,
    private readonly providers: SignInProviders,
    private readonly attempts: LoginAttempts,
  ) {}

  /** Where the provider sends the browser back: register it with the provider as a post-logout redirect URI. */
  returnUri(): string {
    return `${this.config.baseUrl.href.replace(/\/+$/, '')}${this.config.prefix}/logout/done`;
  }

  /**
   * The provider's end-session URL for `session` and the cookie that remembers its
   * state, or undefined when its provider is not asked to sign out (option off, no
   * endpoint). A provider that cannot be reached is logged, and the local sign-out stands.
   */
  async begin(session: Session): Promise<{ location: string; setCookie: string } | undefined> {
    const provider = this.providers.get(session.provider);
    if (provider === undefined || !isRedirectProvider(provider) || provider.endSessionUrl === undefined) return undefined;
    const { attempt, setCookie } = await this.attempts.begin({ provider: SIGN_OUT, redirect: '/' });
    let url: URL | undefined;
    try {
      url = await provider.endSessionUrl({ idToken: session.idToken, postLogoutRedirectUri: this.returnUri(), state: attempt.state });
    } catch (error) {
      this.logger.warn(`sign-out at ${provider.label} skipped: ${(error as Error).message}`);
      return undefined;
    }
    return url === undefined ? undefined : { location: url.href, setCookie };
  }

  /**
   * The browser is back from the provider: throws `LOGIN_STATE_MISMATCH` or
   * `LOGIN_EXPIRED` unless `state` is the one this browser was sent with; returns
   * the page to go to and the `Set-Cookie` that drops the remembered state.
   */
  async finish(cookieHeader: string | string[] | undefined, state: unknown): Promise<{ redirect: string; clearCookie: string }> {
    const { attempt, clearCookie } = await this.attempts.finish(cookieHeader, SIGN_OUT, state);
    return { redirect: attempt.redirect, clearCookie };
  }
}
