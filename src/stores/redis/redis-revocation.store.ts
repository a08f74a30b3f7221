import type { RevocableToken } from '../../tokens/revocation-list';
import type { RevocationStore } from '../../tokens/revocation-store';
import type { RedisStoreEngine } from './redis-store.engine';

/**
 * Revocations shared by every instance through Redis (tokens, sessions and whole
 * accounts), checked in memory. Obtain it with `RedisStores.open`.
 *
 * @example
 * const { revocations } = await RedisStores.open({ capsFile: 'caps.yaml', redis: { url: process.env.REDIS_URL } });
 * await revocations.revokeAccount('bot@service', Math.floor(Date.now() / 1000));
 */
export class RedisRevocationStore implements RevocationStore {
  private closing: Promise<void> | undefined;

  constructor(private readonly engine: RedisStoreEngine) {}

  revokeToken(tokenId: string, expiresAt: number | null): Promise<void> {
    return this.engine.writer.revokeToken(tokenId, expiresAt);
  }

  revokeAccount(email: string, issuedUpTo: number): Promise<void> {
    return this.engine.writer.revokeAccount(email, issuedUpTo);
  }

  isRevoked(token: RevocableToken): boolean {
    return this.engine.state.revocations.isRevoked(token);
  }

  isStale(): boolean {
    return this.engine.freshness.isStale();
  }

  subscribe(listener: () => void): () => void {
    return this.engine.state.onRevocations(listener);
  }

  /** Closing twice is closing once. */
  close(): Promise<void> {
    this.closing ??= this.release();
    return this.closing;
  }

  private async release(): Promise<void> {
    await this.engine.release();
  }
}
