// `nest-capabilities/extend`: building blocks for a custom capability store, revocation
// store or sign-in provider. Stable like the main entry point, but rarely needed.

// The capability core: parse, close over implications, decide, check a change.
export {
  CapabilityGraph,
  CapabilitySet,
  assertCapabilityName,
  assertEmail,
  canonicalizeEmail,
  checkedChange,
  isServiceAccount,
} from '../capabilities';
export type { CapabilityDefinitions } from '../capabilities';
export { parseCapsFile } from '../caps-file/caps-file';

// Where state lives, as one bundle: the memory backend is the reference implementation.
export { openBackend } from '../stores/backend';
export type { Backend, BackendOptions, BackendParts } from '../stores/backend';
export { MemoryCapabilityStore } from '../stores/memory/memory-capability.store';

// Writing files safely, as the file stores do.
export { writeFileAtomic } from '../stores';

// Revocation state a revocation store may keep.
export { RevocationList, assertNotRevoked } from '../tokens/revocation-list';
export type { RevocableToken, RevocationSnapshot } from '../tokens/revocation-list';
export type { ChangeEntry } from '../stores/redis';

// What an API key store serves the guard: its keys, indexed by digest.
export { ApiKeyIndex } from '../api-keys/api-key-index';
// What an OAuth client store serves the guard and the token endpoint: its clients, by id.
export { ClientIndex } from '../clients/client-index';

// Bearer tokens outside the module (scripts, other services).
export { BearerTokens, TOKEN_ALGORITHM, TokenType } from '../tokens/bearer-tokens';
export type { BearerTokenOptions, IssuedToken, VerifiedToken } from '../tokens/bearer-tokens';
export { TokenKeyring } from '../tokens/token-keyring';

// A sign-in provider of another kind.
export type {
  AttemptSecrets,
  EndSessionRequest,
  ProviderContext,
  ProviderIdentity,
  ProviderTokens,
  RedirectSignInProvider,
  SignInProvider,
} from '../providers/sign-in-provider';
export type { LoginAttempt } from '../session/login-attempt';
export type { Session } from '../session/session-cookie';
