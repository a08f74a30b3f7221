import { oauth2IdentitySource, providerEndpoints } from './oauth2-endpoints';
import { passportProvider, strategyOptions, type AttemptStrategy } from './passport-oauth2-flow';
import type { ProviderContext, RedirectSignInProvider } from './sign-in-provider';

/** The options every OAuth 2.0 provider with a passport strategy of its own (Google, GitHub) takes. */
interface OAuth2ProviderOptions<E extends Record<string, string>> {
  readonly name?: string;
  readonly label?: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly scopes?: readonly string[];
  readonly endpoints?: Partial<Record<keyof E, string>>;
  readonly allowInsecureHttpEndpoints?: boolean;
  readonly timeoutSeconds?: number;
}

/** The provider's own: its button label, endpoints and the scopes always asked for. */
interface OAuth2ProviderDefaults<E extends { readonly authorizationURL: string }> {
  readonly label: string;
  readonly endpoints: E;
  readonly requiredScopes: readonly string[];
}

/** What such a provider settles from its options before it builds its strategy, and how it ends. */
export interface OAuth2ProviderSetup<E extends Record<string, string>> {
  readonly name: string;
  readonly label: string;
  /** Every endpoint, checked (https, or http on loopback or when allowed loudly). */
  readonly endpoints: E;
  /** The passport strategy's options: endpoints, client, scopes and the attempt's state store. */
  readonly strategyOptions: ReturnType<typeof strategyOptions<E>>;
  /** The provider driving `strategy`; `startOptions` go into every authorization request. */
  provider(strategy: AttemptStrategy, startOptions?: Readonly<Record<string, unknown>>): RedirectSignInProvider;
}

/**
 * The common part of `createGoogleProvider` and `createGitHubProvider`: name, label and
 * endpoints from the options (a `CONFIG_INVALID` for a bad endpoint or a missing client),
 * and the provider around the strategy, its identities keyed by the authorization endpoint.
 *
 * @example
 * const setup = oauth2ProviderSetup('github', { label: 'GitHub', endpoints: GITHUB, requiredScopes: ['read:user'] }, options, context);
 * return setup.provider(new AttemptGitHubStrategy(setup.strategyOptions, verify, setup.label, context.now));
 */
export function oauth2ProviderSetup<E extends { readonly authorizationURL: string } & Record<string, string>>(
  kind: string,
  defaults: OAuth2ProviderDefaults<E>,
  options: OAuth2ProviderOptions<E>,
  context: ProviderContext,
): OAuth2ProviderSetup<E> {
  const name = options.name ?? kind;
  const label = options.label ?? defaults.label;
  const insecure = options.allowInsecureHttpEndpoints === true;
  const { urls: endpoints, protocol } = providerEndpoints(name, defaults.endpoints, options.endpoints, insecure, (message) => context.warn(message));
  const timeoutSeconds = options.timeoutSeconds ?? 10;
  const identitySource = oauth2IdentitySource(name, endpoints.authorizationURL, defaults.endpoints.authorizationURL);
  return {
    name,
    label,
    endpoints,
    strategyOptions: strategyOptions(name, options, endpoints, defaults.requiredScopes),
    provider: (strategy, startOptions) =>
      passportProvider({ kind, name, label, identitySource, strategy, protocol, timeoutSeconds, ...(startOptions === undefined ? {} : { startOptions }) }),
  };
}
