/** Where the application is reached, and what its tokens are signed with. */
export interface MetadataSource {
  /** The `iss` of the application's tokens. */
  readonly issuer: string;
  /** The external URL the routes are reached under, without a trailing slash. */
  readonly base: string;
  /** The module's route prefix, '' or '/something'. */
  readonly prefix: string;
  /** Whether tokens are signed with a key pair, whose public keys `/.well-known/jwks.json` lists. */
  readonly asymmetric: boolean;
  /** The capabilities, sorted: OAuth's scopes. */
  readonly scopes: readonly string[];
}

/** The path of the JWKS, at the root whatever the module's prefix. */
export const JWKS_PATH = '/.well-known/jwks.json';
/** The path of the RFC 8414 metadata, at the root whatever the module's prefix. */
export const METADATA_PATH = '/.well-known/oauth-authorization-server';

/**
 * The RFC 8414 authorization server metadata of the application: its endpoints, the
 * client-credentials grant and its client authentication methods, the capabilities as
 * scopes, and `jwks_uri` only when tokens are signed with a key pair.
 *
 * @example authorizationServerMetadata({ issuer, base: issuer, prefix: '', asymmetric: true, scopes: ['read'] }).jwks_uri; // 'https://app.example.com/.well-known/jwks.json'
 */
export function authorizationServerMetadata(source: MetadataSource): Record<string, unknown> {
  const routes = `${source.base}${source.prefix}`;
  return {
    issuer: source.issuer,
    token_endpoint: `${routes}/token`,
    introspection_endpoint: `${routes}/token/introspect`,
    revocation_endpoint: `${routes}/token/revoke`,
    ...(source.asymmetric ? { jwks_uri: `${source.base}${JWKS_PATH}` } : {}),
    grant_types_supported: ['client_credentials'],
    token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
    scopes_supported: source.scopes,
  };
}
