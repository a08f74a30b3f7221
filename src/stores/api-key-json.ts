import { scopeProblem } from '../capabilities/scope';
import type { ApiKeyRecord } from '../api-keys/api-key';

/** The API keys as a file holds them: `{"keys": [...]}` with snake_case fields. */
export function apiKeysToJson(records: readonly ApiKeyRecord[]): string {
  return `${JSON.stringify({ keys: records.map(storedApiKey) }, null, 2)}\n`;
}

/** One record as files and Redis keep it: snake_case fields, never the key. */
export function storedApiKey(record: ApiKeyRecord): Record<string, unknown> {
  return {
    name: record.name,
    hash: record.hash,
    capabilities: record.capabilities,
    expires_at: record.expiresAt,
    created_by: record.createdBy,
    created_at: record.createdAt,
    note: record.note,
    revoked_at: record.revokedAt,
    ...(record.scope === undefined ? {} : { scope: record.scope }),
  };
}

/**
 * The records of an API key file, checked field by field (the file may have been
 * edited or truncated by hand); an empty file holds no keys. Throws on anything else.
 */
export function apiKeysFromJson(text: string): ApiKeyRecord[] {
  if (text.trim() === '') return [];
  const value: unknown = JSON.parse(text);
  const keys = (value as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(keys)) throw new Error('expected {"keys": [...]}');
  return keys.map((entry: unknown, index) => apiKeyFromStored(entry, index));
}

/** A record read back from its stored form; throws when it is not one. */
export function apiKeyFromStored(entry: unknown, index = 0): ApiKeyRecord {
  const fields = (typeof entry === 'object' && entry !== null ? entry : {}) as Record<string, unknown>;
  const { name, hash, capabilities, expires_at: expiresAt, created_by: createdBy, created_at: createdAt, note, revoked_at: revokedAt, scope } = fields;
  const valid =
    typeof name === 'string' &&
    typeof hash === 'string' &&
    Array.isArray(capabilities) &&
    capabilities.every((capability) => typeof capability === 'string') &&
    isTimeOrNull(expiresAt) &&
    typeof createdBy === 'string' &&
    typeof createdAt === 'number' &&
    typeof note === 'string' &&
    isTimeOrNull(revokedAt) &&
    (scope === undefined || scopeProblem(scope) === undefined);
  if (!valid) throw new Error(`key ${index + 1} is not a valid API key record`);
  const record: ApiKeyRecord = { name, hash, capabilities, expiresAt, createdBy, createdAt, note, revokedAt };
  return scope === undefined ? record : { ...record, scope: scope as string };
}

function isTimeOrNull(value: unknown): value is number | null {
  return value === null || (typeof value === 'number' && Number.isFinite(value));
}
