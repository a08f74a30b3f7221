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
  CapabilitiesError,
  CapabilityGraphError,
  CapsFileError,
  ConfigError,
  CrossSiteRequestError,
  GrantError,
  InvalidInputError,
  LoginError,
  TokenError,
} from './errors';
export type { CapabilitiesErrorCode } from './errors';

// Stores.
export { YamlFileStore, writeFileAtomic } from './stores';
export type { CapabilityStore, GrantEdit, StoreLogger } from './stores';

// Nest module, guard and decorators.
export { AuthModule } from './nest/auth.module';
export type { AuthModuleExtras, AuthModuleOptions } from './nest/auth-module.options';
export { AUTH_CONFIG, CAPABILITY_STORE } from './nest/auth.constants';
export { CapabilityGuard } from './nest/capability.guard';
export { CapabilityService } from './nest/capability.service';
export { CurrentUser, Public, RedirectToLogin, RequireCapability } from './nest/decorators';

// Tokens.
export { BearerTokens, TOKEN_ALGORITHM, TokenType } from './tokens/bearer-tokens';
export type { IssuedToken, VerifiedToken } from './tokens/bearer-tokens';
