import { performance } from 'node:perf_hooks';
import { RedisStores } from '../src/stores/redis';

/** What the parent asks of an instance, and what it answers. */
export type InstanceRequest = { readonly grants: number; readonly tag: string } | 'stop';
export type InstanceReport =
  | { readonly kind: 'ready'; readonly openMs: number; readonly heapMB: number; readonly rssMB: number; readonly accounts: number }
  | { readonly kind: 'granted'; readonly ms: number; readonly failed: number }
  | { readonly kind: 'seen'; readonly what: 'policy' | 'revocation'; readonly at: number };

const now = (): number => performance.timeOrigin + performance.now();
const mb = (bytes: number): number => bytes / 1024 / 1024;

// One instance of the shared store in a process of its own: it reports its start-up
// time and memory, when changes reach it, and runs batches of grants on demand.
async function main(): Promise<void> {
  const [capsFile, url, prefix] = process.argv.slice(2) as [string, string, string];
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const before = process.memoryUsage();
  const started = now();
  const stores = await RedisStores.open({ capsFile, redis: { url, prefix }, logger: { log: () => undefined, warn: console.warn, error: console.error } });
  const openMs = now() - started;
  gc?.();
  const after = process.memoryUsage();
  const send = (report: InstanceReport): void => void process.send?.(report);
  stores.capabilities.subscribe(() => send({ kind: 'seen', what: 'policy', at: now() }));
  stores.revocations.subscribe(() => send({ kind: 'seen', what: 'revocation', at: now() }));
  send({ kind: 'ready', openMs, heapMB: mb(after.heapUsed - before.heapUsed), rssMB: mb(after.rss), accounts: stores.capabilities.current().users.size });
  process.on('message', (request: InstanceRequest) => {
    if (request === 'stop') {
      void stores.close().finally(() => process.exit(0));
      return;
    }
    const begun = now();
    const writes = Array.from({ length: request.grants }, (_, i) => stores.capabilities.update(() => ({ email: `${request.tag}-${i}@example.com`, capabilities: ['read'] })));
    void Promise.allSettled(writes).then((outcomes) => send({ kind: 'granted', ms: now() - begun, failed: outcomes.filter((outcome) => outcome.status === 'rejected').length }));
  });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
