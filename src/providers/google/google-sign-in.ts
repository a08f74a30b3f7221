import { Strategy as GoogleStrategy, type StrategyOptions } from 'passport-google-oauth20';
import type { Clock } from '../../clock';
import { LoginError } from '../../errors';
import { pkceAuthorizationParams, pkceTokenParams, refreshWith, tokensOf, type AttemptAuthenticateOptions } from '../passport-oauth2-flow';
import { oauth2ProviderSetup } from '../oauth2-provider-setup';
import type { ProviderContext, ProviderIdentity, ProviderTokens, RedirectSignInProvider } from '../sign-in-provider';
import { googleVerifiedEmail } from './google-email';
import type { GoogleProviderOptions } from './google-provider.options';

const GOOGLE = {
  authorizationURL: 'https://accounts.google.com/o/oauth2/v2/auth',
  tokenURL: 'https://oauth2.googleapis.com/token',
  userProfileURL: 'https://openidconnect.googleapis.com/v1/userinfo',
};
const REQUIRED_SCOPES = ['openid', 'email', 'profile'];

type Done = (error?: Error | null, user?: unknown) => void;

/** passport-google-oauth20 with PKCE (S256) from the sealed attempt. */
class AttemptGoogleStrategy extends GoogleStrategy {
  constructor(
    options: StrategyOptions,
    verify: (accessToken: string, refreshToken: string, params: unknown, profile: { _json?: unknown }, done: Done) => void,
    private readonly label: string,
    private readonly now: Clock,
  ) {
    super(options, verify as never);
  }

  override authorizationParams(options: AttemptAuthenticateOptions): object {
    return { ...super.authorizationParams(options), ...pkceAuthorizationParams(options.attempt) };
  }

  override tokenParams(options: AttemptAuthenticateOptions): object {
    return { ...super.tokenParams(options), ...pkceTokenParams(options.attempt) };
  }

  // Every failure of the profile read says so, whatever error class passport-google-oauth20 picked.
  override userProfile(accessToken: string, done: Done): void {
    super.userProfile(accessToken, (error?: unknown, profile?: unknown) => {
      if (error) done(new LoginError('LOGIN_PROVIDER_ERROR', `sign-in with ${this.label} failed: could not read your profile`, { cause: error }));
      else done(null, profile);
    });
  }

  refreshTokens(refreshToken: string): Promise<ProviderTokens> {
    return refreshWith(this._oauth2, refreshToken, this.label, this.now);
  }
}

/**
 * The Google provider: passport-google-oauth20 driven by the module's login routes,
 * with state and PKCE (S256) from the attempt cookie; an unverified email is refused.
 *
 * @example
 * createGoogleProvider({ kind: 'google', clientId: '…apps.googleusercontent.com', clientSecret: '…', offlineAccess: true }, context);
 */
export function createGoogleProvider(options: GoogleProviderOptions, context: ProviderContext): RedirectSignInProvider {
  const setup = oauth2ProviderSetup('google', { label: 'Google', endpoints: GOOGLE, requiredScopes: REQUIRED_SCOPES }, options, context);
  const { label } = setup;
  const strategy = new AttemptGoogleStrategy(
    setup.strategyOptions,
    (accessToken, refreshToken, params, profile, done) => {
      const json = profile._json as { sub?: unknown } | undefined;
      if (typeof json?.sub !== 'string' || json.sub === '') {
        done(new LoginError('LOGIN_PROVIDER_ERROR', `sign-in with ${label} failed: the profile has no subject`));
        return;
      }
      const identity: ProviderIdentity = {
        subject: json.sub,
        email: googleVerifiedEmail(json, options.hostedDomain),
        emailVerified: true,
        tokens: tokensOf(accessToken, refreshToken, params, context.now),
      };
      done(null, identity);
    },
    label,
    context.now,
  );
  const offline = options.offlineAccess === true ? { accessType: 'offline', prompt: 'consent' } : {};
  const hostedDomain = options.hostedDomain === undefined ? {} : { hostedDomain: options.hostedDomain };
  return setup.provider(strategy, { ...offline, ...hostedDomain });
}
