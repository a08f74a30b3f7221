import { assertIdentityFree, type CapabilityPolicy } from '../../capabilities/capability-policy';
import { assertEmail } from '../../capabilities/email';
import { assertScope, isWithinScope } from '../../capabilities/scope';
import { ApiKeyError, InvalidInputError, LoginError, StoreUnavailableError } from '../../errors';
import { isLive, type ApiKeyRecord } from '../../api-keys/api-key';
import { keyNameTaken, type KeyRevocationCheck } from '../../api-keys/api-key-index';
import { storedApiKey } from '../api-key-json';
import type { ClientRecord } from '../../clients/client';
import { clientUnknown, type ClientRevocationCheck } from '../../clients/client-index';
import { parseClient, storedClient } from '../client-json';
import type { AccountDeletion, GrantEdit, ScopeDrop, ScopeDropped } from '../capability-store';
import type { JobOutcome } from '../group-commit-queue';
import { judgeGrants, type GrantChange } from '../grant-judgment';
import { parseApiKey, type ChangeEntry } from './change-entry';
import type { RedisConnections } from './redis-connections';
import type { RedisKeys } from './redis-keys';
import type { StoreCommands } from './redis-scripts';
import type { ReplicatedState } from './replicated-state';
import type { StateSync } from './state-sync';
import { nowSeconds } from '../../clock';

/** Entries the log keeps, roughly; an instance further behind than this reloads everything. */
const LOG_LENGTH = 100_000;
/** Judgments redone after a conflict before the write gives up with 503. */
const MAX_ATTEMPTS = 100;

type Written = { readonly version: number; readonly id: string };

/**
 * Every write to the shared store: one Lua script each, which refuses a change judged
 * against a version that is no longer the newest (the change is then judged again on
 * the new state, so the escalation and last-admin rules hold across instances),
 * applies it, increments the version and appends it to the log. A write Redis does
 * not take in time answers `STORE_UNAVAILABLE` and is never applied later: the
 * script itself refuses to run past the writer's deadline.
 */
export class ChangeWriter {
  constructor(
    private readonly connections: RedisConnections,
    private readonly keys: RedisKeys,
    private readonly state: ReplicatedState,
    private readonly sync: StateSync,
    private readonly commandTimeoutMs: number,
  ) {}

  /**
   * Judges `edits` in order against the newest state (each sees the ones before it)
   * and writes those that pass in one script; an edit that throws is refused alone.
   * Every answer is confirmed by Redis, no-ops and refusals too: the script refuses a
   * judgment made on a version that is no longer the newest, and the whole batch is
   * then judged again on the new state. Each edit resolves with the policy it left,
   * which is the store's state right after it.
   */
  async grants(edits: readonly GrantEdit[]): Promise<readonly JobOutcome<CapabilityPolicy>[]> {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const judgedAt = this.state.version;
      const judged = judgeGrants(this.state.policy, edits);
      if (judged.outcomes.every(refusedForItsInputAlone)) return judged.outcomes;
      const fields = [this.keys.scopeGrants, ...judged.changes.flatMap(({ scope, email, capabilities }) => [scope ?? '', email, JSON.stringify(capabilities)])];
      const written = await this.run('capsGrant', [this.keys.users, this.keys.scopes], String(judgedAt), fields);
      if (written === 'STALE') {
        await this.catchUp();
        continue;
      }
      if (typeof written !== 'string' && judged.changes.length > 0) await this.adopt(written, judged.changes);
      return judged.outcomes;
    }
    throw new StoreUnavailableError('too many concurrent changes to the shared store; nothing was changed, try again');
  }

  /** Makes this instance's copy hold the grants just written before their callers are answered. */
  private async adopt(written: Written, changes: readonly GrantChange[]): Promise<void> {
    const first = written.version - changes.length + 1;
    if (this.state.version === first - 1) {
      changes.forEach(({ scope, email, capabilities }, index) => {
        const version = first + index;
        const entry: ChangeEntry = scope === null ? { kind: 'grant', version, email, capabilities } : { kind: 'scoped', version, scope, email, capabilities };
        this.state.apply(entry, index === changes.length - 1 ? written.id : '');
      });
    } else if (this.state.version < written.version) {
      await this.catchUp().catch(() => undefined);
    }
  }

  /** Links `identity` to `email`; a link to another account is refused with `LOGIN_IDENTITY_LINKED`. */
  async link(identity: string, email: string): Promise<CapabilityPolicy> {
    const account = assertEmail(email);
    // Judged by the script, not by this copy, which may be behind.
    const written = await this.run('capsLink', [this.keys.identities], '', [identity, account]);
    if (typeof written === 'string') {
      await this.catchUp();
      assertIdentityFree(this.state.policy.identities, identity, account);
      throw new LoginError('LOGIN_IDENTITY_LINKED', 'this sign-in is already linked to another account, so it was not linked to yours');
    }
    await this.settle(written, { kind: 'identity', version: written.version, identity, email: account });
    return this.state.policy;
  }

  /**
   * Deletes the account `deletion` names, with every identity link to it, judged against
   * the newest state as `grants` judges: a judgment made on a version that is no longer
   * the newest is refused by the script and made again, and a refusal is confirmed by
   * Redis before it is answered. Resolves with the policy right after the deletion.
   */
  async deleteAccount(deletion: AccountDeletion): Promise<CapabilityPolicy> {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const judgedAt = this.state.version;
      const policy = this.state.policy;
      let email: string | undefined;
      let refusal: unknown;
      try {
        email = assertEmail(deletion(policy));
      } catch (error) {
        if (refusedForItsInputAlone({ ok: false, error })) throw error;
        refusal = error;
      }
      const links = email === undefined ? [] : policy.identitiesOf(email);
      const scopes = email === undefined ? [] : policy.scopedGrantsOf(email).map(([scope]) => scope);
      const fields = email === undefined ? [] : [email, this.keys.scopeGrants, String(links.length), ...links, ...scopes];
      const written = await this.run('capsDelete', [this.keys.users, this.keys.identities, this.keys.scopes], String(judgedAt), fields);
      if (typeof written === 'string') {
        await this.catchUp();
        continue;
      }
      if (email === undefined) throw refusal;
      await this.settle(written, { kind: 'delete', version: written.version, email });
      return this.state.policy;
    }
    throw new StoreUnavailableError('too many concurrent changes to the shared store; nothing was changed, try again');
  }

  /**
   * Removes every grant at the scope `drop` names and below it (a deleted shop), judged
   * against the newest state as `grants` judges: `drop` returns the scope or throws to
   * refuse, and a judgment made on a version that is no longer the newest is made again.
   * Resolves with the policy right after it and how many (account, capability, scope)
   * grants went.
   */
  async dropScope(drop: ScopeDrop): Promise<ScopeDropped> {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const judgedAt = this.state.version;
      const policy = this.state.policy;
      let judged: { readonly scope: string; readonly removed: number; readonly below: readonly string[] } | undefined;
      let refusal: unknown;
      try {
        const scope = assertScope(drop(policy));
        const below = [...policy.scopes.keys()].filter((at) => isWithinScope(at, scope));
        judged = { scope, removed: policy.withoutScope(scope).removed, below };
      } catch (error) {
        if (refusedForItsInputAlone({ ok: false, error })) throw error;
        refusal = error;
      }
      const fields = judged === undefined || judged.below.length === 0 ? [] : [this.keys.scopeGrants, judged.scope, ...judged.below];
      const written = await this.run('capsDropScope', [this.keys.scopes], String(judgedAt), fields);
      if (typeof written === 'string') {
        await this.catchUp();
        continue;
      }
      if (judged === undefined) throw refusal;
      if (fields.length > 0) await this.settle(written, { kind: 'drop', version: written.version, scope: judged.scope });
      return { policy: this.state.policy, removed: judged.removed };
    }
    throw new StoreUnavailableError('too many concurrent changes to the shared store; nothing was changed, try again');
  }

  async revokeToken(tokenId: string, expiresAt: number | null): Promise<void> {
    const written = (await this.run('capsRevokeToken', [this.keys.revokedTokens], '', [tokenId, expiresAt === null ? '' : String(expiresAt)])) as Written;
    await this.settle(written, { kind: 'token', version: written.version, tokenId, expiresAt });
  }

  async revokeAccount(email: string, issuedUpTo: number): Promise<void> {
    const written = (await this.run('capsRevokeAccount', [this.keys.revokedAccounts], '', [email, String(issuedUpTo)])) as Written;
    await this.settle(written, { kind: 'account', version: written.version, email, issuedUpTo });
  }

  /**
   * Stores a new API key; rejects with `KEY_EXISTS` while a live key has its name. The
   * key holding the name is judged here, on the record Redis holds, and the script
   * writes only while that record is still the one judged.
   */
  async createKey(record: ApiKeyRecord): Promise<void> {
    const json = JSON.stringify(storedApiKey(record));
    let held = '';
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const written = await this.runOn('capsKeyCreate', [this.keys.apiKeys, this.keys.apiKeyNames], [record.name, record.hash, json, held]);
      if ('held' in written) {
        held = written.held;
        const holder = parseApiKey(held);
        if (holder !== undefined && isLive(holder, this.serverSeconds())) throw keyNameTaken(record.name);
        continue;
      }
      await this.settle(written, { kind: 'apikey', version: written.version, record });
      return;
    }
    throw new StoreUnavailableError('too many concurrent changes to the API key; nothing was changed, try again');
  }

  /**
   * Revokes the newest key named `name` at once; resolves with it; rejects with
   * `KEY_UNKNOWN`, or whatever `check` throws on the record about to be revoked. The
   * record is judged here and written back revoked whole, so the script only
   * compares: it never decodes what a client wrote into a note.
   */
  async revokeKey(name: string, check: KeyRevocationCheck = () => undefined): Promise<ApiKeyRecord> {
    const unknown = (): ApiKeyError => new ApiKeyError('KEY_UNKNOWN', name, `no API key named ${JSON.stringify(name)}`);
    // The record as this instance knows it is the first guess; Redis answers with its own when they differ.
    const known = this.state.apiKeys.records.filter((record) => record.name === name).at(-1);
    let held = known === undefined || known.revokedAt !== null ? '' : JSON.stringify(storedApiKey(known));
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      let revoked: { json: string; record: ApiKeyRecord } | undefined;
      if (held !== '') {
        const record = parseApiKey(held);
        if (record === undefined || record.revokedAt !== null) throw unknown();
        check(record);
        revoked = revokedRecord(held, record, this.serverSeconds());
      }
      const written = await this.runOn('capsKeyRevoke', [this.keys.apiKeys, this.keys.apiKeyNames], [name, held, revoked?.json ?? '']);
      if ('held' in written) {
        if (written.held === '') throw unknown();
        held = written.held;
        continue;
      }
      await this.settle(written, { kind: 'apikey', version: written.version, record: revoked!.record });
      return revoked!.record;
    }
    throw new StoreUnavailableError('too many concurrent changes to the API key; nothing was changed, try again');
  }

  /** Stores a new OAuth client (its id is random: one already held is refused). */
  async createClient(record: ClientRecord): Promise<void> {
    const json = JSON.stringify(storedClient(record));
    const written = await this.runOn('capsClientPut', [this.keys.clients], [record.clientId, '', json]);
    if ('held' in written) throw new InvalidInputError('INVALID_REQUEST', 'client_id', 'a client with this id exists already');
    await this.settle(written, { kind: 'client', version: written.version, record });
  }

  /**
   * Revokes the live client `clientId` at once; resolves with it revoked; rejects with
   * `CLIENT_UNKNOWN`, or what `check` throws on the record about to be revoked. Judged
   * here on the record Redis holds, written back whole only while it is still that one.
   */
  async revokeClient(clientId: string, check: ClientRevocationCheck = () => undefined): Promise<ClientRecord> {
    const known = this.state.clients.live(clientId);
    // The record as this instance knows it is the first guess; one it does not know yet is read from Redis.
    let held = known === undefined ? await this.storedClientJson(clientId) : JSON.stringify(storedClient(known));
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const record = parseClient(held);
      if (record === undefined || record.revokedAt !== null) throw clientUnknown(clientId);
      check(record);
      const revoked: ClientRecord = { ...record, revokedAt: this.serverSeconds() };
      const json = JSON.stringify({ ...(JSON.parse(held) as object), revoked_at: revoked.revokedAt });
      const written = await this.runOn('capsClientPut', [this.keys.clients], [clientId, held, json]);
      if ('held' in written) {
        held = written.held;
        continue;
      }
      await this.settle(written, { kind: 'client', version: written.version, record: revoked });
      return revoked;
    }
    throw new StoreUnavailableError('too many concurrent changes to the OAuth client; nothing was changed, try again');
  }

  private async storedClientJson(clientId: string): Promise<string> {
    try {
      return (await this.connections.bulk.hget(this.keys.clients, clientId)) ?? '';
    } catch (error) {
      throw new StoreUnavailableError('Redis is unreachable or too slow: the change was not applied', { cause: error });
    }
  }

  /** Appends one audit entry to `stream`, trimmed as `trim` says (see the AUDIT script); not a change, so nothing to apply. */
  async appendAudit(stream: string, trim: readonly [kind: 'AGE' | 'COUNT' | '', bound: string], json: string): Promise<void> {
    await this.runOn('capsAudit', [stream], [...trim, json]);
  }

  private async runOn(
    script: Exclude<keyof StoreCommands, 'capsImport' | 'capsScopes'>,
    dataKeys: readonly string[],
    fields: readonly string[],
  ): Promise<Written | { readonly held: string }> {
    const deadline = this.connections.serverNow() + this.commandTimeoutMs - Math.min(250, this.commandTimeoutMs / 4);
    let reply: unknown;
    try {
      const { keys } = this;
      reply = await this.connections.command[script](keys.epoch, keys.version, keys.log, ...dataKeys, this.state.epoch ?? '', Math.floor(deadline), '', LOG_LENGTH, ...fields);
    } catch (error) {
      throw new StoreUnavailableError('Redis is unreachable or too slow: the change was not applied', { cause: error });
    }
    const [status, second, id] = reply as [string, (number | string)?, string?];
    if (status === 'OK') return { version: Number(second), id: id ?? '' };
    if (status === 'HELD') return { held: String(second ?? '') };
    if (status === 'EPOCH') throw new StoreUnavailableError('the shared store in Redis lost its data or was replaced: the change was not applied');
    throw new StoreUnavailableError('Redis answered too late: the change was not applied');
  }

  private async run(script: Exclude<keyof StoreCommands, 'capsImport' | 'capsScopes'>, dataKeys: readonly string[], judgedAt: string, fields: readonly string[]): Promise<Written | 'STALE' | 'LINKED'> {
    // Redis refuses to run the script past this moment, so a write that timed out here never lands later.
    const deadline = this.connections.serverNow() + this.commandTimeoutMs - Math.min(250, this.commandTimeoutMs / 4);
    let reply: unknown;
    try {
      const { keys } = this;
      reply = await this.connections.command[script](keys.epoch, keys.version, keys.log, ...dataKeys, this.state.epoch ?? '', Math.floor(deadline), judgedAt, LOG_LENGTH, ...fields);
    } catch (error) {
      throw new StoreUnavailableError('Redis is unreachable or too slow: the change was not applied', { cause: error });
    }
    const [status, version, id] = reply as [string, number?, string?];
    switch (status) {
      case 'OK':
        return { version: Number(version), id: id ?? '' };
      case 'STALE':
      case 'LINKED':
        return status;
      case 'EPOCH':
        throw new StoreUnavailableError('the shared store in Redis lost its data or was replaced: the change was not applied');
      default:
        throw new StoreUnavailableError('Redis answered too late: the change was not applied');
    }
  }

  /** Makes this instance's copy hold the write before the caller answers. */
  private async settle(written: Written, entry: ChangeEntry): Promise<void> {
    if (written.id !== '' && this.state.version === written.version - 1) {
      this.state.apply(entry, written.id);
      return;
    }
    if (this.state.version < written.version) await this.catchUp().catch(() => undefined);
  }

  private serverSeconds(): number {
    return nowSeconds(() => this.connections.serverNow());
  }

  private async catchUp(): Promise<void> {
    try {
      await this.sync.catchUp();
    } catch (error) {
      if (error instanceof StoreUnavailableError) throw error;
      throw new StoreUnavailableError('Redis is unreachable: the change was not applied', { cause: error });
    }
  }
}

/**
 * A refusal that no state of the store could have changed (a malformed email, a name
 * the graph, which is this instance's own configuration, does not define): answered
 * without asking Redis, so bad input gets its 400 even while Redis is away.
 */
function refusedForItsInputAlone(outcome: JobOutcome<CapabilityPolicy>): boolean {
  return !outcome.ok && outcome.error instanceof InvalidInputError && outcome.error.code !== 'UNKNOWN_ACCOUNT';
}

/** `record`, held as `json`, revoked at `nowSeconds`: every field it was stored with is kept. */
function revokedRecord(json: string, record: ApiKeyRecord, nowSeconds: number): { json: string; record: ApiKeyRecord } {
  return { json: JSON.stringify({ ...(JSON.parse(json) as object), revoked_at: nowSeconds }), record: { ...record, revokedAt: nowSeconds } };
}
