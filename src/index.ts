// The public API of `nest-capabilities`: what an application needs. Building blocks for
// custom stores and sign-in providers are in `nest-capabilities/extend`, the testing
// kit in `nest-capabilities/testing`; anything else is internal and may change.

// Nest module, guard, service and decorators.
export { AuthModule } from './module/auth.module';
export type { AuthModuleExtras, AuthModuleOptions } from './nest/auth-module.options';
export { CAPABILITY_STORE, CLOCK } from './nest/auth.constants';
export { CapabilityGuard } from './nest/capability.guard';
export { CapabilityService } from './nest/capability.service';
export { CurrentUser, Public, RedirectToLogin, RequireCapability } from './nest/decorators';
export type { RequireCapabilityOptions, ScopeSource } from './nest/scope-template';
export { CapabilitiesWsFilter } from './ws/capabilities-ws.filter';
export { rememberHandshake } from './ws/ws-handshake';
export { ProviderAccessToken } from './nest/sign-in/provider-access-token';
export { ProviderApiTokens } from './nest/sign-in/provider-api-tokens';

// What handlers and services see.
export { ADMIN_CAPABILITY, CapabilityPolicy } from './capabilities';
export type { CapabilityChange, Principal, UserGrants } from './capabilities';

// Errors, with stable codes.
export {
  AccessError,
  ApiKeyError,
  CapabilitiesError,
  ClientError,
  CapabilityGraphError,
  CapsFileError,
  ConfigError,
  CrossSiteRequestError,
  GrantError,
  InvalidInputError,
  LoginError,
  OAuthError,
  StoreUnavailableError,
  TokenError,
} from './errors';
export type { CapabilitiesErrorCode, OAuthErrorCode, TokenErrorCode } from './errors';

// Stores.
export { YamlFileStore } from './stores';
export type { AccountDeletion, CapabilityStore, GrantEdit, GrantTarget, ScopeDrop, ScopeDropped, StoreLogger } from './stores';
export { FileRevocationStore, revocationFileFor } from './stores/file/file-revocation.store';
export type { FileRevocationStoreOptions } from './stores/file/file-revocation.store';
export { RedisApiKeyStore, RedisAuditLog, RedisCapabilityStore, RedisClientStore, RedisRevocationStore, RedisStores } from './stores/redis';
export type { RedisStoreOptions, RedisStoresOptions } from './stores/redis';
export { MemoryRevocationStore, REVOCATION_STORE } from './tokens/revocation-store';
export type { RevocationStore } from './tokens/revocation-store';

// API keys and the audit trail.
export { API_KEY_PREFIX } from './api-keys/api-key';
export type { ApiKeyRecord } from './api-keys/api-key';
export { API_KEY_STORE, MemoryApiKeyStore } from './api-keys/api-key-store';
export type { ApiKeyStore } from './api-keys/api-key-store';
export { ApiKeyService } from './nest/api-key.service';
export { FileApiKeyStore, apiKeyFileFor } from './stores/file/file-api-key.store';
export type { FileApiKeyStoreOptions } from './stores/file/file-api-key.store';

// OAuth 2.0 clients of service accounts (client-credentials grant at POST /token).
export { CLIENT_SECRET_PREFIX } from './clients/client';
export type { ClientRecord } from './clients/client';
export { CLIENT_STORE, MemoryClientStore } from './clients/client-store';
export type { ClientStore } from './clients/client-store';
export { ClientService } from './nest/client.service';
export { FileClientStore, clientFileFor } from './stores/file/file-client.store';
export type { FileClientStoreOptions } from './stores/file/file-client.store';
export { MemoryAuditLog } from './audit/audit-log';
export type { AuditAction, AuditEntry, AuditLog, AuditQuery, AuditShelf } from './audit/audit-log';
export { AuditRecorder } from './audit/audit-recorder';
export type { AuditActor } from './audit/audit-recorder';
export { FileAuditLog, auditFileFor } from './stores/file/file-audit.log';
export type { FileAuditLogOptions } from './stores/file/file-audit.log';

// Sign-in provider options.
export type { ProviderOptions } from './providers/provider-options';
export type { OidcProviderOptions } from './providers/oidc/oidc-provider.options';
export type { GoogleProviderOptions } from './providers/google/google-provider.options';
export type { GitHubProviderOptions } from './providers/github/github-provider.options';

// Secrets read from files (Docker and Kubernetes secrets).
export { readSecretFile, secretFromEnvironment } from './secrets/secret-file';
