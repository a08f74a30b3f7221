import { CapabilityPolicy } from '../../capabilities/capability-policy';
import { withGrant } from '../../capabilities/layered-grants';
import { withScopedGrant } from '../../capabilities/scoped-grants';
import { ApiKeyIndex } from '../../api-keys/api-key-index';
import { ClientIndex } from '../../clients/client-index';
import { RevocationList } from '../../tokens/revocation-list';
import type { StoreLogger } from '../capability-store';
import type { ChangeEntry } from './change-entry';
import type { RedisSnapshot } from './redis-snapshot';
import { Subscribers } from '../../events/subscribers';
import { nowSeconds } from '../../clock';

/** What applying one log entry did: applied it, had it already, or found a hole before it. */
export type ApplyOutcome = 'applied' | 'skipped' | 'gap';

/**
 * This instance's copy of the shared state: the policy (the graph and defaults of its
 * own caps.yaml, the accounts and identities of Redis) and the revocations, at one
 * version of the change log. Entries are applied strictly in version order; one that
 * is not the next version is reported as a gap, and the caller reloads everything.
 */
export class ReplicatedState {
  readonly revocations = new RevocationList();
  private current: CapabilityPolicy;
  private appliedVersion: number;
  private lastEntryId: string;
  private knownEpoch: string | null;
  private readonly policySubscribers = new Subscribers<[CapabilityPolicy]>('shared store', (message) => this.logger.error(message));
  private readonly revocationSubscribers = new Subscribers<[]>('shared store', (message) => this.logger.error(message));
  private readonly apiKeySubscribers = new Subscribers<[]>('shared store', (message) => this.logger.error(message));
  private readonly clientSubscribers = new Subscribers<[]>('shared store', (message) => this.logger.error(message));
  private keys: ApiKeyIndex;
  private clientIndex: ClientIndex;

  constructor(
    filePolicy: CapabilityPolicy,
    snapshot: RedisSnapshot,
    private readonly logger: StoreLogger,
    private readonly now: () => number = Date.now,
  ) {
    this.current = compose(filePolicy, snapshot);
    this.revocations.merge({ tokens: snapshot.revokedTokens, accounts: snapshot.revokedAccounts });
    this.appliedVersion = snapshot.version;
    this.lastEntryId = snapshot.lastId;
    this.knownEpoch = snapshot.epoch;
    this.keys = new ApiKeyIndex(snapshot.apiKeys);
    this.clientIndex = new ClientIndex(snapshot.clients);
  }

  /** Every OAuth client known, in memory. */
  get clients(): ClientIndex {
    return this.clientIndex;
  }

  get policy(): CapabilityPolicy {
    return this.current;
  }

  /** Every API key known, in memory. */
  get apiKeys(): ApiKeyIndex {
    return this.keys;
  }

  get version(): number {
    return this.appliedVersion;
  }

  /** The id of the last log entry seen; following the log resumes after it. */
  get lastId(): string {
    return this.lastEntryId;
  }

  get epoch(): string | null {
    return this.knownEpoch;
  }

  /** Replaces everything with `snapshot`, unless it is older than what is held. Revocations are only ever added. */
  adopt(snapshot: RedisSnapshot): void {
    if (snapshot.epoch === this.knownEpoch && snapshot.version < this.appliedVersion) return;
    this.knownEpoch = snapshot.epoch;
    this.appliedVersion = snapshot.version;
    this.lastEntryId = snapshot.lastId;
    this.current = compose(this.current, snapshot);
    this.revocations.merge({ tokens: snapshot.revokedTokens, accounts: snapshot.revokedAccounts });
    this.keys = new ApiKeyIndex(snapshot.apiKeys, this.keys);
    this.clientIndex = new ClientIndex(snapshot.clients);
    this.notifyPolicy();
    this.notifyRevocations();
    this.notifyApiKeys();
    this.clientSubscribers.notify();
  }

  /** A new version of the caps file: its graph and defaults, the same accounts and scoped grants. */
  adoptFile(filePolicy: CapabilityPolicy): void {
    this.current = compose(filePolicy, this.current);
    this.notifyPolicy();
  }

  /** Applies `entry` (log id `id`, empty when the writer applies its own change) if it is the next version. */
  apply(entry: ChangeEntry, id: string): ApplyOutcome {
    if (entry.version <= this.appliedVersion) {
      if (id !== '' && entry.version === this.appliedVersion) this.lastEntryId = id;
      return 'skipped';
    }
    if (entry.version !== this.appliedVersion + 1) return 'gap';
    this.appliedVersion = entry.version;
    if (id !== '') this.lastEntryId = id;
    switch (entry.kind) {
      case 'grant':
        // Names this instance's graph lacks (a deploy in progress) are kept and grant nothing here.
        this.current = new CapabilityPolicy({ ...this.current, users: withGrant(this.current.users, entry.email, entry.capabilities) });
        this.notifyPolicy();
        break;
      case 'scoped':
        // As for a global grant, names this instance's graph lacks are kept and grant nothing here.
        this.current = new CapabilityPolicy({ ...this.current, scopes: withScopedGrant(this.current.scopes, entry.scope, entry.email, entry.capabilities) });
        this.notifyPolicy();
        break;
      case 'drop':
        this.current = this.current.withoutScope(entry.scope).policy;
        this.notifyPolicy();
        break;
      case 'identity':
        this.current = new CapabilityPolicy({ ...this.current, identities: new Map(this.current.identities).set(entry.identity, entry.email) });
        this.notifyPolicy();
        break;
      case 'delete':
        this.current = this.current.withoutAccount(entry.email);
        this.notifyPolicy();
        break;
      case 'token':
        this.revocations.prune(nowSeconds(this.now));
        this.revocations.revokeToken(entry.tokenId, entry.expiresAt);
        this.notifyRevocations();
        break;
      case 'account':
        this.revocations.revokeAccount(entry.email, entry.issuedUpTo);
        this.notifyRevocations();
        break;
      case 'apikey': {
        const others = this.keys.records.filter((record) => record.hash !== entry.record.hash);
        this.keys = new ApiKeyIndex([...others, entry.record], this.keys);
        this.notifyApiKeys();
        break;
      }
      case 'client': {
        const others = this.clientIndex.records.filter((record) => record.clientId !== entry.record.clientId);
        this.clientIndex = new ClientIndex([...others, entry.record]);
        this.clientSubscribers.notify();
        break;
      }
      case 'other':
        break;
    }
    return 'applied';
  }

  onPolicy(listener: (policy: CapabilityPolicy) => void): () => void {
    return this.policySubscribers.add(listener);
  }

  onRevocations(listener: () => void): () => void {
    return this.revocationSubscribers.add(listener);
  }

  onApiKeys(listener: () => void): () => void {
    return this.apiKeySubscribers.add(listener);
  }

  onClients(listener: () => void): () => void {
    return this.clientSubscribers.add(listener);
  }

  clearListeners(): void {
    this.clientSubscribers.clear();
    this.policySubscribers.clear();
    this.revocationSubscribers.clear();
    this.apiKeySubscribers.clear();
  }

  private notifyApiKeys(): void {
    this.apiKeySubscribers.notify();
  }

  private notifyPolicy(): void {
    this.policySubscribers.notify(this.current);
  }

  private notifyRevocations(): void {
    this.revocationSubscribers.notify();
  }
}

/** The graph, defaults and pinned grants of `file`; the accounts, scoped grants and identities of `shared`. */
function compose(file: CapabilityPolicy, shared: Pick<CapabilityPolicy, 'users' | 'scopes' | 'identities'>): CapabilityPolicy {
  const { users, scopes, identities } = shared;
  return new CapabilityPolicy({ graph: file.graph, defaults: file.defaults, guest: file.guest, pinned: file.pinned, users, scopes, identities });
}
