import type { Meter } from '@opentelemetry/api';
import { DecisionCounter } from './decision-counter';
import { moduleMeter } from './instrumentation';
import { observeStore, type ReplicaState } from './store-gauges';
import { TokenCounter } from './token-counter';

/**
 * The module's metrics, made once when the module starts: the guard's decisions, the
 * bearer tokens it read, and gauges of a shared store's copy. With `telemetry: false`
 * in the module's options there is none, and the guard counts nothing.
 *
 * @example
 * const telemetry = new ModuleTelemetry(moduleMeter(), () => store.replica?.());
 * telemetry.decisions.allowed('http', ['read']);
 */
export class ModuleTelemetry {
  readonly decisions: DecisionCounter;
  readonly tokens: TokenCounter;
  private readonly stopObserving: () => void;

  constructor(meter: Meter = moduleMeter(), replica: () => ReplicaState | undefined = () => undefined) {
    this.decisions = new DecisionCounter(meter);
    this.tokens = new TokenCounter(meter);
    this.stopObserving = observeStore(meter, replica);
  }

  /** Stops the store's gauges (the module is closing; its store is gone). */
  close(): void {
    this.stopObserving();
  }
}
