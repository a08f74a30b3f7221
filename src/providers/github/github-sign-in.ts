import { Strategy as GitHubStrategy, type StrategyOptions } from 'passport-github2';
import type { Clock } from '../../clock';
import { LoginError } from '../../errors';
import { pkceAuthorizationParams, pkceTokenParams, refreshWith, tokensOf, type AttemptAuthenticateOptions } from '../passport-oauth2-flow';
import { oauth2ProviderSetup } from '../oauth2-provider-setup';
import type { ProviderContext, ProviderIdentity, ProviderTokens, RedirectSignInProvider } from '../sign-in-provider';
import { chooseGitHubEmail } from './github-email';
import type { GitHubProviderOptions } from './github-provider.options';

const GITHUB = {
  authorizationURL: 'https://github.com/login/oauth/authorize',
  tokenURL: 'https://github.com/login/oauth/access_token',
  userProfileURL: 'https://api.github.com/user',
  userEmailURL: 'https://api.github.com/user/emails',
};
const REQUIRED_SCOPES = ['read:user', 'user:email'];

/** What this strategy's `userProfile` reads: `/user` and `/user/emails`. */
interface GitHubProfile {
  readonly id: string;
  readonly publicEmail: unknown;
  readonly emails: unknown;
}

type Done = (error?: Error | null, profile?: unknown) => void;

/**
 * passport-github2 with PKCE from the sealed attempt, and a profile read that
 * always asks `/user/emails` (GitHub hides private emails from `/user`) and never
 * throws on a malformed answer (passport-github2 parses the emails unguarded).
 */
class AttemptGitHubStrategy extends GitHubStrategy {
  constructor(
    options: StrategyOptions,
    verify: (accessToken: string, refreshToken: string, params: unknown, profile: GitHubProfile, done: Done) => void,
    private readonly urls: { readonly profile: string; readonly emails: string },
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

  override userProfile(accessToken: string, done: Done): void {
    const failed = (what: string, cause: unknown) =>
      done(new LoginError('LOGIN_PROVIDER_ERROR', `sign-in with ${this.label} failed: could not read your ${what}`, { cause }));
    this._oauth2.get(this.urls.profile, accessToken, (error, body) => {
      const user = error ? undefined : parseJson(body);
      const id = (user as { id?: unknown } | undefined)?.id;
      if (typeof id !== 'number' && typeof id !== 'string') return failed('profile', error);
      this._oauth2.get(this.urls.emails, accessToken, (emailsError, emailsBody) => {
        if (emailsError) return failed('email addresses', emailsError);
        done(null, { id: String(id), publicEmail: (user as { email?: unknown }).email, emails: parseJson(emailsBody) });
      });
    });
  }

  refreshTokens(refreshToken: string): Promise<ProviderTokens> {
    return refreshWith(this._oauth2, refreshToken, this.label, this.now);
  }
}

/**
 * The GitHub provider: passport-github2 driven by the module's login routes, with
 * state and PKCE (S256) from the attempt cookie, and the email chosen by
 * `chooseGitHubEmail`.
 *
 * @example
 * createGitHubProvider({ kind: 'github', clientId: 'Iv1.abc', clientSecret: '…' }, context);
 */
export function createGitHubProvider(options: GitHubProviderOptions, context: ProviderContext): RedirectSignInProvider {
  const setup = oauth2ProviderSetup('github', { label: 'GitHub', endpoints: GITHUB, requiredScopes: REQUIRED_SCOPES }, options, context);
  const strategy = new AttemptGitHubStrategy(
    setup.strategyOptions,
    (accessToken, refreshToken, params, profile, done) => {
      const identity: ProviderIdentity = {
        subject: profile.id,
        email: chooseGitHubEmail(profile.publicEmail, profile.emails),
        emailVerified: true,
        tokens: tokensOf(accessToken, refreshToken, params, context.now),
      };
      done(null, identity);
    },
    { profile: setup.endpoints.userProfileURL, emails: setup.endpoints.userEmailURL },
    setup.label,
    context.now,
  );
  return setup.provider(strategy);
}

function parseJson(body: string | Buffer | undefined): unknown {
  try {
    return JSON.parse(String(body));
  } catch {
    return undefined;
  }
}
