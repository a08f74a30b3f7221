import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { ConfigError, LoginError } from '../../errors';
import type { Clock } from '../../clock';
import { AUTH_CONFIG, AUTH_MODULE_OPTIONS, CLOCK } from '../auth.constants';
import type { AuthConfig } from '../auth-config';
import type { AuthModuleOptions } from '../auth-module.options';
import { DEV_PROVIDER } from '../../providers/dev/dev-sign-in';
import { createGitHubProvider } from '../../providers/github/github-sign-in';
import { createGoogleProvider } from '../../providers/google/google-sign-in';
import { createOidcProvider } from '../../providers/oidc/oidc-sign-in';
import type { ProviderOptions } from '../../providers/provider-options';
import { isRedirectProvider, type ProviderContext, type RedirectSignInProvider, type SignInProvider } from '../../providers/sign-in-provider';

/**
 * One factory per provider kind; adding a kind to `ProviderOptions` without one here does not compile.
 *
 * @example
 * const provider = PROVIDER_FACTORIES.oidc({ kind: 'oidc', issuer: 'https://gitlab.com', clientId: 'app' }, context);
 */
export const PROVIDER_FACTORIES: {
  readonly [K in ProviderOptions['kind']]: (options: Extract<ProviderOptions, { kind: K }>, context: ProviderContext) => RedirectSignInProvider;
} = {
  oidc: createOidcProvider,
  google: createGoogleProvider,
  github: createGitHubProvider,
};

const NAME = /^[a-z0-9][a-z0-9-]{0,31}$/;

/**
 * The sign-in providers configured for this application, by name.
 *
 * @example
 * providers.get('oidc');              // the provider behind /login/oidc, or undefined
 * providers.redirectUri('oidc');      // 'https://app.example.com/auth/oidc/callback'
 */
@Injectable()
export class SignInProviders implements OnApplicationBootstrap {
  private readonly byName = new Map<string, SignInProvider>();
  private readonly logger = new Logger('nest-capabilities');

  constructor(
    @Inject(AUTH_CONFIG) private readonly config: AuthConfig,
    @Inject(AUTH_MODULE_OPTIONS) options: AuthModuleOptions,
    @Inject(CLOCK) now: Clock,
  ) {
    if (config.devLogin) this.byName.set(DEV_PROVIDER.name, DEV_PROVIDER);
    const context: ProviderContext = {
      baseUrl: config.baseUrl,
      production: config.production,
      now,
      warn: (message) => this.logger.warn(message),
    };
    for (const entry of options.providers ?? []) this.add(createProvider(entry, context));
  }

  /** Discovery and other preparation, so a misconfigured provider stops the start. */
  async onApplicationBootstrap(): Promise<void> {
    await Promise.all(this.redirectProviders().map((provider) => provider.prepare?.() ?? Promise.resolve()));
  }

  get(name: string): SignInProvider | undefined {
    return this.byName.get(name);
  }

  /** Provider `name`, or `LOGIN_PROVIDER_UNKNOWN` (404) when none of that name is configured. */
  named(name: string): SignInProvider {
    const provider = this.byName.get(name);
    if (provider === undefined) throw unknownProvider(name);
    return provider;
  }

  /** Redirect provider `name` (one with a callback and links), or `LOGIN_PROVIDER_UNKNOWN`. */
  redirectNamed(name: string): RedirectSignInProvider {
    const provider = this.named(name);
    if (!isRedirectProvider(provider)) throw unknownProvider(name);
    return provider;
  }

  all(): readonly SignInProvider[] {
    return [...this.byName.values()];
  }

  /** The redirect URI of provider `name`: always from `baseUrl`, never from a request's Host. */
  redirectUri(name: string): string {
    return `${this.config.baseUrl.href.replace(/\/+$/, '')}${this.config.prefix}/auth/${name}/callback`;
  }

  private redirectProviders(): RedirectSignInProvider[] {
    return this.all().filter(isRedirectProvider);
  }

  private add(provider: SignInProvider): void {
    assertProviderName(provider.name);
    if (this.byName.has(provider.name)) throw new ConfigError(`two sign-in providers are named "${provider.name}"; give one a different name`);
    this.byName.set(provider.name, provider);
  }
}

function createProvider(entry: ProviderOptions, context: ProviderContext): RedirectSignInProvider {
  const factory = (PROVIDER_FACTORIES as Record<string, ((options: ProviderOptions, context: ProviderContext) => RedirectSignInProvider) | undefined>)[
    (entry as { kind?: unknown }).kind as string
  ];
  if (factory === undefined) {
    throw new ConfigError(`unknown sign-in provider kind ${JSON.stringify((entry as { kind?: unknown }).kind)}; expected one of ${Object.keys(PROVIDER_FACTORIES).join(', ')}`);
  }
  return factory(entry, context);
}

/** Throws `CONFIG_INVALID` unless `name` fits in a route and a cookie: lower-case letters, digits, dashes. */
export function assertProviderName(name: unknown): asserts name is string {
  if (typeof name !== 'string' || !NAME.test(name)) {
    throw new ConfigError(`sign-in provider name ${JSON.stringify(name)} must be 1 to 32 lower-case letters, digits or dashes`);
  }
}

function unknownProvider(name: string): LoginError {
  return new LoginError('LOGIN_PROVIDER_UNKNOWN', `unknown sign-in provider "${name.slice(0, 64)}"`);
}
