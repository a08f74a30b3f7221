/** The keys of one shared store, all under its prefix. */
export interface RedisKeys {
  /** A random id written when the prefix is seeded; gone when Redis lost its data. */
  readonly epoch: string;
  /** The number of changes applied so far; each change increments it by one. */
  readonly version: string;
  /** Hash: canonical email -> JSON list of the capabilities granted through the API. */
  readonly users: string;
  /** Hash: `"<provider>:<subject>"` -> canonical email. */
  readonly identities: string;
  /** Set: every scope path at which some account holds a grant; each has its hash (see `scopeGrants`). */
  readonly scopes: string;
  /**
   * What the hash of one scope's grants is named after: `<scopeGrants><scope path>`, canonical
   * email -> JSON list of the capabilities granted at exactly that scope. A prefix written
   * before scoped grants has neither these nor `scopes`, and loads as holding none.
   */
  readonly scopeGrants: string;
  /** Sorted set: revoked token (or session) id, scored by its expiry in unix seconds (`+inf`: never). */
  readonly revokedTokens: string;
  /** Hash: canonical email -> every token of it issued at or before this unix second is revoked. */
  readonly revokedAccounts: string;
  /** Stream: one entry per change, in version order. */
  readonly log: string;
  /** Hash: API key hash -> JSON record (never the key). */
  readonly apiKeys: string;
  /** Hash: API key name -> the hash of the newest key of that name. */
  readonly apiKeyNames: string;
  /** Hash: OAuth client id -> JSON record (the secret's hash, never the secret). */
  readonly clients: string;
  /** Stream: the audit trail (changes made, managers' refusals), trimmed by age. */
  readonly audit: string;
  /** Stream: the refusals of outsiders, kept apart from the trail, the newest only. */
  readonly auditRefused: string;
}

/** The keys under `prefix`. */
export function redisKeys(prefix: string): RedisKeys {
  return {
    epoch: `${prefix}epoch`,
    version: `${prefix}version`,
    users: `${prefix}users`,
    identities: `${prefix}identities`,
    scopes: `${prefix}scopes`,
    scopeGrants: `${prefix}scope:`,
    revokedTokens: `${prefix}revoked:tokens`,
    revokedAccounts: `${prefix}revoked:accounts`,
    log: `${prefix}log`,
    apiKeys: `${prefix}apikeys`,
    apiKeyNames: `${prefix}apikeys:names`,
    clients: `${prefix}clients`,
    audit: `${prefix}audit`,
    auditRefused: `${prefix}audit:refused`,
  };
}
