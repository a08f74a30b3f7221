// Capability core: no framework inside.
export {
  ADMIN_CAPABILITY,
  CapabilityGraph,
  CapabilityPolicy,
  CapabilitySet,
  assertCapabilityName,
  assertEmail,
  canonicalizeEmail,
  checkedChange,
  effectiveFor,
  isServiceAccount,
  parseCapsFile,
} from './capabilities';
export type { CapabilityChange, CapabilityDefinitions, Principal, UserGrants } from './capabilities';

// Errors, with stable codes.
export {
  AccessError,
  ApiKeyError,
  CapabilitiesError,
  CapabilityGraphError,
  CapsFileError,
  ConfigError,
  CrossSiteRequestError,
  GrantError,
  InvalidInputError,
  LoginError,
  StoreUnavailableError,
  TokenError,
} from './errors';
export type { CapabilitiesErrorCode, TokenErrorCode } from './errors';

// Stores.
export { YamlFileStore, writeFileAtomic } from './stores';
export type { CapabilityStore, GrantEdit, StoreLogger } from './stores';
export { RedisCapabilityStore, RedisRevocationStore, RedisStores } from './stores/redis';
export type { ChangeEntry, RedisStoreOptions, RedisStoresOptions } from './stores/redis';

// Nest module, guard and decorators.
export { AuthModule } from './nest/auth.module';
export type { AuthModuleExtras, AuthModuleOptions } from './nest/auth-module.options';
export { AUTH_CONFIG, CAPABILITY_STORE } from './nest/auth.constants';
export { CapabilityGuard } from './nest/capability.guard';
export { CapabilityService } from './nest/capability.service';
export { CurrentUser, Public, RedirectToLogin, RequireCapability } from './nest/decorators';

// Secrets read from files (Docker and Kubernetes secrets).
export { readSecretFile, secretFromEnvironment } from './secrets/secret-file';

// Tokens.
export { BearerTokens, TOKEN_ALGORITHM, TokenType } from './tokens/bearer-tokens';
export type { IssuedToken, VerifiedToken } from './tokens/bearer-tokens';
export type { BearerTokenOptions } from './tokens/bearer-tokens';
export { TokenKeyring } from './tokens/token-keyring';

// Token revocation.
export { MemoryRevocationStore, REVOCATION_STORE } from './tokens/revocation-store';
export type { RevocationStore } from './tokens/revocation-store';
export { RevocationList, assertNotRevoked } from './tokens/revocation-list';
export type { RevocableToken, RevocationSnapshot } from './tokens/revocation-list';
export { FileRevocationStore, revocationFileFor } from './stores/file-revocation.store';
export type { FileRevocationStoreOptions } from './stores/file-revocation.store';

// API keys and the audit trail.
export { API_KEY_PREFIX } from './keys/api-key';
export type { ApiKeyRecord } from './keys/api-key';
export { API_KEY_STORE, MemoryApiKeyStore } from './keys/api-key-store';
export type { ApiKeyStore } from './keys/api-key-store';
export { ApiKeyIndex } from './keys/api-key-index';
export { ApiKeyService } from './nest/api-key.service';
export { FileApiKeyStore, apiKeyFileFor } from './stores/file-api-key.store';
export type { FileApiKeyStoreOptions } from './stores/file-api-key.store';
export { MemoryAuditLog } from './audit/audit-log';
export type { AuditAction, AuditEntry, AuditLog, AuditQuery } from './audit/audit-log';
export { AuditRecorder } from './audit/audit-recorder';
export { FileAuditLog, auditFileFor } from './stores/file-audit.log';
export type { FileAuditLogOptions } from './stores/file-audit.log';

// Sign-in providers.
export { PROVIDER_FACTORIES, SignInProviders } from './providers/sign-in-providers';
export { ProviderAccounts, assertEmailVerified } from './providers/provider-accounts';
export { createOidcProvider } from './providers/oidc/oidc-sign-in';
export { createGoogleProvider } from './providers/google/google-sign-in';
export { createGitHubProvider } from './providers/github/github-sign-in';
export { chooseGitHubEmail } from './providers/github/github-email';
export { ProviderApiTokens } from './providers/provider-api-tokens';
export { ProviderAccessToken, ProviderAccessTokenPipe } from './providers/provider-access-token';
export { LoginAttempts, LOGIN_ATTEMPT_TTL_SECONDS } from './session/login-attempt';
export { SessionCookie, safeRedirectPath } from './session';
export type { ProviderOptions } from './providers/provider-options';
export type { OidcProviderOptions } from './providers/oidc/oidc-provider.options';
export type { GoogleProviderOptions } from './providers/google/google-provider.options';
export type { GitHubProviderOptions } from './providers/github/github-provider.options';
export type {
  AttemptSecrets,
  EndSessionRequest,
  ProviderContext,
  ProviderIdentity,
  ProviderTokens,
  RedirectSignInProvider,
  SignInProvider,
} from './providers/sign-in-provider';
export type { LoginAttempt } from './session/login-attempt';
export type { Session } from './session/session-cookie';
