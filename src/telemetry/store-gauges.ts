import type { BatchObservableCallback, Meter } from '@opentelemetry/api';

/** How far this instance's copy of a shared store is behind it, as the store knows it. */
export interface ReplicaState {
  /** Milliseconds since the copy was last known to be up to date with the shared store. */
  readonly lagMs: number;
  /** Whether the copy is too old to enforce (requests needing a capability are refused). */
  readonly stale: boolean;
  /** The version of the shared store the copy holds. */
  readonly version: number;
}

export const STORE_LAG_METRIC = 'nest_capabilities.store.lag';
export const STORE_STALE_METRIC = 'nest_capabilities.store.stale';
export const STORE_VERSION_METRIC = 'nest_capabilities.store.version';

/**
 * Observable gauges of a shared store's copy: read by the SDK at each collection, never
 * on a request. `read` answers undefined for a store that is not shared (a file of this
 * instance), and then nothing is observed. Returns what stops the observing.
 *
 * @example
 * const stop = observeStore(moduleMeter(), () => store.replica?.());
 */
export function observeStore(meter: Meter, read: () => ReplicaState | undefined): () => void {
  const lag = meter.createObservableGauge(STORE_LAG_METRIC, { description: 'Time since this instance was last known up to date with the shared store', unit: 'ms' });
  const stale = meter.createObservableGauge(STORE_STALE_METRIC, { description: '1 while this instance refuses requests for a store too long out of touch, else 0' });
  const version = meter.createObservableGauge(STORE_VERSION_METRIC, { description: 'Version of the shared store this instance holds' });
  const observe: BatchObservableCallback = (result) => {
    const state = read();
    if (state === undefined) return;
    result.observe(lag, state.lagMs);
    result.observe(stale, state.stale ? 1 : 0);
    result.observe(version, state.version);
  };
  const observables = [lag, stale, version];
  meter.addBatchObservableCallback(observe, observables);
  return () => meter.removeBatchObservableCallback(observe, observables);
}
