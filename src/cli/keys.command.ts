import { AuditRecorder } from '../audit/audit-recorder';
import { assertCapabilityName } from '../capabilities/capability-name';
import { parseCapsFile } from '../caps-file/caps-file';
import { readFile } from 'node:fs/promises';
import { createApiKey, revokeApiKey, type ApiKeyActions } from '../api-keys/api-key-actions';
import { assertKeyName } from '../capabilities/key-name';
import type { ApiKeyStore } from '../api-keys/api-key-store';
import { EXIT_OK, UsageError, cliActor, type CliIo } from './cli-io';
import { withBackend, type StoreChoice } from './store-choice';
import { parseTtl } from './token.command';

const NINETY_DAYS = 90 * 86400;

/** Options of `keys`. */
export interface KeysOptions {
  readonly choice: StoreChoice;
  readonly ttl: string | undefined;
  readonly note: string | undefined;
  readonly json: boolean;
  /** `keys create --scope S`: a key limited to S. */
  readonly scope?: string | undefined;
}

/**
 * `keys create NAME CAPABILITY...`, `keys list`, `keys revoke NAME`: API keys in the
 * key file next to the capability file (or, with --redis, in the shared store), as the
 * app's routes keep them, each change in the audit trail that goes with them as
 * `cli:<os user>`. The operator may give any capability of the file.
 */
export async function keysCommand(positionals: readonly string[], options: KeysOptions, io: CliIo): Promise<number> {
  const [action, ...rest] = positionals;
  if (action !== 'create' && action !== 'list' && action !== 'revoke') throw new UsageError('keys needs create, list or revoke', 'keys');
  if (action !== 'create' && (options.ttl !== undefined || options.note !== undefined || options.scope !== undefined)) {
    throw new UsageError(`keys ${action} takes no --ttl, --note or --scope`, 'keys');
  }
  return withBackend(options.choice, io, async ({ apiKeys: store, audit: log }) => {
    if (action === 'list') return listKeys(store, rest, options.json, io);
    const actions: ApiKeyActions = {
      store,
      audit: new AuditRecorder(log, undefined, (message) => io.err(`warning: ${message}`)),
      rules: { defaultTtlSeconds: NINETY_DAYS, mayNeverExpire: true },
      now: Date.now,
    };
    if (action === 'revoke') {
      if (rest.length !== 1) throw new UsageError('keys revoke takes one NAME', 'keys');
      const name = assertKeyName(rest[0]);
      await revokeApiKey(actions, cliActor(io.env), name, null);
      io.out(options.json ? JSON.stringify({ status: 'ok', name }) : `revoked ${name}`);
      return EXIT_OK;
    }
    const [name, ...capabilities] = rest;
    if (name === undefined || capabilities.length === 0) throw new UsageError('keys create needs a NAME and at least one CAPABILITY', 'keys');
    const policy = parseCapsFile(await readFile(options.choice.caps, 'utf8'), options.choice.caps);
    const ttl = options.ttl === undefined ? undefined : parseTtl(options.ttl);
    const { key, record } = await createApiKey(actions, cliActor(io.env), policy, null, {
      name: assertKeyName(name),
      capabilities: capabilities.map((capability) => assertCapabilityName(capability)),
      ...(ttl === undefined ? {} : { expiresIn: ttl ?? 'never' }),
      ...(options.note === undefined ? {} : { note: options.note }),
      ...(options.scope === undefined ? {} : { scope: options.scope }),
    });
    const answer = { status: 'ok', key, name: record.name, capabilities: record.capabilities, expires_at: record.expiresAt };
    if (options.json) io.out(JSON.stringify(record.scope === undefined ? answer : { ...answer, scope: record.scope }));
    else io.out(key);
    return EXIT_OK;
  });
}

function listKeys(store: ApiKeyStore, rest: readonly string[], json: boolean, io: CliIo): number {
  if (rest.length > 0) throw new UsageError('keys list takes no argument', 'keys');
  const keys = store.current().unrevoked();
  if (json) {
    io.out(JSON.stringify({ keys: keys.map((k) => ({ name: k.name, capabilities: k.capabilities, expires_at: k.expiresAt, created_by: k.createdBy, created_at: k.createdAt, note: k.note })) }));
    return EXIT_OK;
  }
  for (const k of keys) {
    const expiry = k.expiresAt === null ? 'never expires' : `expires ${new Date(k.expiresAt * 1000).toISOString()}`;
    io.out(`${k.name}: ${k.capabilities.join(', ')} (${expiry}; by ${k.createdBy})${k.note === '' ? '' : ` ${k.note}`}`);
  }
  return EXIT_OK;
}
