import { ClientError, InvalidInputError, TokenError } from '../errors';
import type { ClientRecord } from './client';

/**
 * Every client known, in memory, by id, built once per change: checking a client
 * token's client is one Map lookup, no I/O. Immutable; stores replace it.
 *
 * @example
 * const index = new ClientIndex(records);
 * index.assertLive('ncc_…'); // throws TOKEN_REVOKED for a revoked client
 */
export class ClientIndex {
  private readonly byId = new Map<string, ClientRecord>();

  constructor(readonly records: readonly ClientRecord[]) {
    for (const record of records) this.byId.set(record.clientId, record);
  }

  /** The client `clientId`, revoked or not, or undefined. */
  get(clientId: string): ClientRecord | undefined {
    return this.byId.get(clientId);
  }

  /** The live client `clientId`, or undefined when it is unknown or revoked. */
  live(clientId: string): ClientRecord | undefined {
    const record = this.byId.get(clientId);
    return record === undefined || record.revokedAt !== null ? undefined : record;
  }

  /**
   * Throws `TOKEN_REVOKED` unless the client `clientId` exists and is not revoked: a
   * client token is refused from the request after its client was revoked.
   */
  assertLive(clientId: string): void {
    if (this.live(clientId) === undefined) throw new TokenError('TOKEN_REVOKED', 'the OAuth client of this token has been revoked');
  }

  /** The clients not revoked, oldest first. */
  unrevoked(): ClientRecord[] {
    return this.records.filter((record) => record.revokedAt === null);
  }
}

/** Judges a client about to be revoked, in the store's atomic step; throws to refuse, and nothing is revoked. */
export type ClientRevocationCheck = (record: ClientRecord) => void;

/** The `CLIENT_UNKNOWN` error for `clientId`: no live client has it. */
export function clientUnknown(clientId: string): ClientError {
  return new ClientError('CLIENT_UNKNOWN', clientId, `no live OAuth client ${JSON.stringify(clientId.slice(0, 64))}`);
}

/** The records with `record` added; a client id already taken is refused (ids are random, so it means a replayed write). */
export function withClientAdded(records: readonly ClientRecord[], record: ClientRecord): ClientRecord[] {
  if (records.some((existing) => existing.clientId === record.clientId)) {
    throw new InvalidInputError('INVALID_REQUEST', 'client_id', 'a client with this id exists already');
  }
  return [...records, record];
}

/**
 * The records after revoking the live client `clientId` at `nowSeconds`, and that
 * client revoked; `check` sees it first (it throws to refuse). Throws `CLIENT_UNKNOWN`.
 */
export function withClientRevoked(
  records: readonly ClientRecord[],
  clientId: string,
  nowSeconds: number,
  check: ClientRevocationCheck = () => undefined,
): { records: ClientRecord[]; revoked: ClientRecord } {
  const found = records.find((record) => record.clientId === clientId && record.revokedAt === null);
  if (found === undefined) throw clientUnknown(clientId);
  check(found);
  const revoked: ClientRecord = { ...found, revokedAt: nowSeconds };
  return { records: records.map((record) => (record === found ? revoked : record)), revoked };
}
