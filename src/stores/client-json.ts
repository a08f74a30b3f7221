import { scopeProblem } from '../capabilities/scope';
import type { ClientRecord } from '../clients/client';

/** The clients as a file holds them: `{"clients": [...]}` with snake_case fields. */
export function clientsToJson(records: readonly ClientRecord[]): string {
  return `${JSON.stringify({ clients: records.map(storedClient) }, null, 2)}\n`;
}

/** One record as files and Redis keep it: snake_case fields, the secret's hash, never the secret. */
export function storedClient(record: ClientRecord): Record<string, unknown> {
  return {
    client_id: record.clientId,
    account: record.account,
    name: record.name,
    hash: record.hash,
    created_by: record.createdBy,
    created_at: record.createdAt,
    revoked_at: record.revokedAt,
    ...(record.scope === undefined ? {} : { scope: record.scope }),
  };
}

/** The records of a client file, checked field by field; an empty file holds none. Throws on anything else. */
export function clientsFromJson(text: string): ClientRecord[] {
  if (text.trim() === '') return [];
  const value: unknown = JSON.parse(text);
  const clients = (value as { clients?: unknown } | null)?.clients;
  if (!Array.isArray(clients)) throw new Error('expected {"clients": [...]}');
  return clients.map((entry: unknown, index) => clientFromStored(entry, index));
}

/** A record read back from its stored form; throws when it is not one. */
export function clientFromStored(entry: unknown, index = 0): ClientRecord {
  const fields = (typeof entry === 'object' && entry !== null ? entry : {}) as Record<string, unknown>;
  const { client_id: clientId, account, name, hash, created_by: createdBy, created_at: createdAt, revoked_at: revokedAt, scope } = fields;
  const valid =
    typeof clientId === 'string' &&
    typeof account === 'string' &&
    typeof name === 'string' &&
    typeof hash === 'string' &&
    typeof createdBy === 'string' &&
    typeof createdAt === 'number' &&
    (revokedAt === null || (typeof revokedAt === 'number' && Number.isFinite(revokedAt))) &&
    (scope === undefined || scopeProblem(scope) === undefined);
  if (!valid) throw new Error(`client ${index + 1} is not a valid OAuth client record`);
  const record: ClientRecord = { clientId, account, name, hash, createdBy, createdAt, revokedAt };
  return scope === undefined ? record : { ...record, scope: scope as string };
}

/** A client record as the change log and the `clients` hash keep it; undefined when it is not one. */
export function parseClient(json: string | undefined): ClientRecord | undefined {
  if (json === undefined) return undefined;
  try {
    return clientFromStored(JSON.parse(json));
  } catch {
    return undefined;
  }
}
