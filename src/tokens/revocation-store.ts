import { RevocationList, type RevocableToken } from './revocation-list';
import { Subscribers } from '../events/subscribers';
import { nowSeconds } from '../clock';

/** Injection token of the module's `RevocationStore`. */
export const REVOCATION_STORE = Symbol('nest-capabilities:revocation-store');

/**
 * Where revoked bearer tokens are kept. Checks are synchronous and in memory (the
 * guard's hot path does no I/O); revocations are durable before they resolve and
 * reach every instance that shares the backend.
 *
 * @example
 * const revocations = await FileRevocationStore.open('caps.yaml.revoked.json');
 * await revocations.revokeToken(verified.tokenId, verified.expiresAt);
 * revocations.isRevoked({ tokenId: verified.tokenId, email: 'bot@service', issuedAt: verified.issuedAt }); // true
 */
export interface RevocationStore {
  /** Revokes one token until `expiresAt` (unix seconds; null for a token that never expires). */
  revokeToken(tokenId: string, expiresAt: number | null): Promise<void>;
  /** Revokes every token of `email` issued at or before `issuedUpTo` (unix seconds). */
  revokeAccount(email: string, issuedUpTo: number): Promise<void>;
  /** Whether `token` is revoked, as far as this instance knows now. */
  isRevoked(token: RevocableToken): boolean;
  /** Called whenever revocations arrive, from this instance or another. */
  subscribe(listener: () => void): () => void;
  close(): Promise<void>;
}

/**
 * Revocations kept in this process only: for tests and single-instance apps that keep
 * capabilities in a store of their own. Lost on restart.
 *
 * @example
 * AuthModule.forRoot({ ..., revocationStore: new MemoryRevocationStore() })
 */
export class MemoryRevocationStore implements RevocationStore {
  private readonly list = new RevocationList();
  private readonly subscribers = new Subscribers<[]>('revocation store');

  constructor(private readonly now: () => number = () => Date.now()) {}

  async revokeToken(tokenId: string, expiresAt: number | null): Promise<void> {
    this.list.prune(nowSeconds(this.now));
    this.list.revokeToken(tokenId, expiresAt);
    this.notify();
  }

  async revokeAccount(email: string, issuedUpTo: number): Promise<void> {
    this.list.revokeAccount(email, issuedUpTo);
    this.notify();
  }

  isRevoked(token: RevocableToken): boolean {
    return this.list.isRevoked(token);
  }

  subscribe(listener: () => void): () => void {
    return this.subscribers.add(listener);
  }

  async close(): Promise<void> {
    this.subscribers.clear();
  }

  private notify(): void {
    this.subscribers.notify();
  }
}
