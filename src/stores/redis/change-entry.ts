import type { ApiKeyRecord } from '../../api-keys/api-key';
import { apiKeyFromStored } from '../api-key-json';
import type { ClientRecord } from '../../clients/client';
import { parseClient } from '../client-json';

/**
 * One change as the change log (a Redis Stream) keeps it. Field by field:
 *
 * | kind | fields besides `v` and `kind` |
 * |---|---|
 * | `grant` | `email`, `capabilities` (JSON list: the account's whole API-managed list from now on) |
| `scoped` | `scope`, `email`, `capabilities` (JSON list: the account's whole list at exactly that scope from now on; `[]`: none there) |
| `drop` | `scope` (every grant at that scope and below it is gone) |
 * | `identity` | `identity` (`"<provider>:<subject>"`), `email` |
 * | `delete` | `email` (the account and every identity link to it are gone) |
 * | `token` | `token` (token or session id), `expires` (unix seconds, empty: never) |
 * | `account` | `email`, `upto` (unix seconds: tokens and sessions issued at or before it are revoked) |
 * | `apikey` | `record` (JSON: an API key's whole record as created or revoked, its hash never the key) |
 * | `client` | `record` (JSON: an OAuth client's whole record as created or revoked, its secret's hash never the secret) |
 *
 * `v` is the version the change made: entries carry 1, 2, 3… without a hole. A
 * reader counts entries of kinds it does not know and skips them (the `audit` entries
 * of earlier versions, say: the audit trail now has streams of its own; and an instance
 * older than `delete` keeps a deleted account's grants until it reloads, while its tokens
 * end there anyway, by the `account` revocation that follows the deletion). Scoped grants
 * have kinds of their own for that reason: an instance older than scopes skips them,
 * and never reads a grant at one scope as a global one.
 */
export type ChangeEntry =
  | { readonly kind: 'grant'; readonly version: number; readonly email: string; readonly capabilities: readonly string[] }
  | { readonly kind: 'scoped'; readonly version: number; readonly scope: string; readonly email: string; readonly capabilities: readonly string[] }
  | { readonly kind: 'drop'; readonly version: number; readonly scope: string }
  | { readonly kind: 'identity'; readonly version: number; readonly identity: string; readonly email: string }
  | { readonly kind: 'delete'; readonly version: number; readonly email: string }
  | { readonly kind: 'token'; readonly version: number; readonly tokenId: string; readonly expiresAt: number | null }
  | { readonly kind: 'account'; readonly version: number; readonly email: string; readonly issuedUpTo: number }
  | { readonly kind: 'apikey'; readonly version: number; readonly record: ApiKeyRecord }
  | { readonly kind: 'client'; readonly version: number; readonly record: ClientRecord }
  | { readonly kind: 'other'; readonly version: number };

/** The entry held in a stream entry's flat `[field, value, ...]` list, or undefined when it is not one. */
export function decodeChangeEntry(fields: readonly string[]): ChangeEntry | undefined {
  const get = (name: string): string | undefined => {
    for (let i = 0; i + 1 < fields.length; i += 2) if (fields[i] === name) return fields[i + 1];
    return undefined;
  };
  const version = Number(get('v'));
  if (!Number.isSafeInteger(version) || version <= 0) return undefined;
  const email = get('email');
  switch (get('kind')) {
    case 'grant': {
      const capabilities = parseNames(get('capabilities'));
      return email === undefined || capabilities === undefined ? undefined : { kind: 'grant', version, email, capabilities };
    }
    case 'scoped': {
      const scope = get('scope');
      const capabilities = parseNames(get('capabilities'));
      return scope === undefined || email === undefined || capabilities === undefined ? undefined : { kind: 'scoped', version, scope, email, capabilities };
    }
    case 'drop': {
      const scope = get('scope');
      return scope === undefined ? undefined : { kind: 'drop', version, scope };
    }
    case 'identity': {
      const identity = get('identity');
      return identity === undefined || email === undefined ? undefined : { kind: 'identity', version, identity, email };
    }
    case 'delete':
      return email === undefined ? undefined : { kind: 'delete', version, email };
    case 'token': {
      const tokenId = get('token');
      const expires = get('expires');
      if (tokenId === undefined || expires === undefined) return undefined;
      return { kind: 'token', version, tokenId, expiresAt: expires === '' ? null : Number(expires) };
    }
    case 'account': {
      const upto = Number(get('upto'));
      return email === undefined || !Number.isFinite(upto) ? undefined : { kind: 'account', version, email, issuedUpTo: upto };
    }
    case 'apikey': {
      const record = parseApiKey(get('record'));
      return record === undefined ? undefined : { kind: 'apikey', version, record };
    }
    case 'client': {
      const record = parseClient(get('record'));
      return record === undefined ? undefined : { kind: 'client', version, record };
    }
    default:
      return { kind: 'other', version };
  }
}

/** An API key record as the log and the `apikeys` hash keep it; undefined when it is not one. */
export function parseApiKey(json: string | undefined): ApiKeyRecord | undefined {
  if (json === undefined) return undefined;
  try {
    return apiKeyFromStored(JSON.parse(json));
  } catch {
    return undefined;
  }
}

/** A JSON list of capability names, as kept for each account; undefined when it is not one. */
export function parseNames(json: string | undefined): readonly string[] | undefined {
  if (json === undefined) return undefined;
  try {
    const value: unknown = JSON.parse(json);
    return Array.isArray(value) && value.every((name) => typeof name === 'string') ? (value) : undefined;
  } catch {
    return undefined;
  }
}
