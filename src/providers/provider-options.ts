import type { GitHubProviderOptions } from './github/github-provider.options';
import type { GoogleProviderOptions } from './google/google-provider.options';
import type { OidcProviderOptions } from './oidc/oidc-provider.options';

/**
 * One entry of the `providers` option: which kind of provider, and its settings.
 * Each kind has a factory in `PROVIDER_FACTORIES` (`sign-in-providers.ts`).
 *
 * @example
 * const providers: ProviderOptions[] = [
 *   { kind: 'oidc', name: 'microsoft', label: 'Microsoft', issuer: 'https://login.microsoftonline.com/<tenant>/v2.0', clientId: '…', clientSecret: '…' },
 * ];
 */
export type ProviderOptions = OidcProviderOptions | GoogleProviderOptions | GitHubProviderOptions;
