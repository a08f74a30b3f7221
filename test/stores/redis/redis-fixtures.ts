import type { TestContext } from 'node:test';
import type { GrantEdit } from '../../../src/stores/capability-store';
import { checkedChange } from '../../../src/capabilities/grant-rules';
import { RedisStores } from '../../../src/stores/redis';
import type { RedisStoreOptions } from '../../../src/stores/redis';
import { readWriteCaps } from '../../fixtures/caps-texts';
import { RecordingLogger } from '../../fixtures/recording-logger';
import { TEST_REDIS_URL } from '../../support/redis-test';

/** Two admins and nobody pinned: the last-admin race needs both to be removable. */
export const TWO_ADMINS_CAPS = readWriteCaps({
  users: ['alice@example.com: [admin]', 'carol@example.com: [admin]', 'bob@example.com: [write]'],
  identities: ['"github:1001": bob@example.com'],
});

/** One instance's stores on `prefix`, closed when the test ends. */
export async function openInstance(
  t: TestContext,
  capsFile: string,
  prefix: string,
  redis: Partial<RedisStoreOptions> = {},
  now?: () => number,
): Promise<{ stores: RedisStores; logger: RecordingLogger }> {
  const logger = new RecordingLogger();
  const stores = await RedisStores.open({ capsFile, redis: { url: TEST_REDIS_URL, prefix, ...redis }, logger, pollIntervalMs: 50, ...(now === undefined ? {} : { now }) });
  t.after(() => stores.close());
  return { stores, logger };
}

/** Stops an instance's follower, so that it misses what others write until it writes itself. */
export async function stopFollowing(stores: RedisStores): Promise<void> {
  const engine = (stores.capabilities as unknown as { engine: { follower: { stop(): Promise<void> } } }).engine;
  await engine.follower.stop();
}

export const grant =
  (email: string, capabilities: readonly string[]): GrantEdit =>
  () => ({ email, capabilities });

export const add =
  (email: string, capability: string): GrantEdit =>
  (policy) => ({ email, capabilities: [...policy.stored(email), capability] });

export const remove =
  (email: string, capability: string): GrantEdit =>
  (policy) => ({ email, capabilities: policy.stored(email).filter((name) => name !== capability) });

/** `manager` removes `admin` from `email` under the management API's rules. */
export const removeAdmin =
  (manager: string, email: string): GrantEdit =>
  (policy) => checkedChange(policy, policy.effective(manager), email, { kind: 'remove', capability: 'admin' });
