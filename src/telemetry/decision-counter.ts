import type { Attributes, Counter, Meter } from '@opentelemetry/api';

/** Where a guarded call came from. */
export type Transport = 'http' | 'graphql' | 'ws';

/** The metric's name: one count per decision of the capability guard. */
export const DECISIONS_METRIC = 'nest_capabilities.decisions';

type ByCapability = Map<string, Attributes>;

/**
 * Counts the guard's decisions with their `outcome`, `code`, `transport` and `capability`.
 * Called on every guarded request, so the attribute objects are made once per
 * combination and kept: a count allocates nothing. An allowed decision's `code` is `OK`.
 * The combinations are bounded by the capabilities of the graph and the error codes.
 *
 * @example
 * const decisions = new DecisionCounter(moduleMeter());
 * decisions.allowed('http', requirement.capabilities);
 */
export class DecisionCounter {
  private readonly counter: Counter;
  private readonly allowedBy = new Map<Transport, Map<readonly string[], Attributes>>();
  private readonly deniedBy = new Map<Transport, Map<string, ByCapability>>();

  constructor(meter: Meter) {
    this.counter = meter.createCounter(DECISIONS_METRIC, { description: 'Decisions of the capability guard', unit: '{decision}' });
  }

  /**
   * One request allowed on a route needing `capabilities` (the route's own list, kept by
   * its requirement: the same array every time, so it keys the attributes itself).
   */
  allowed(transport: Transport, capabilities: readonly string[]): void {
    let byList = this.allowedBy.get(transport);
    if (byList === undefined) this.allowedBy.set(transport, (byList = new Map<readonly string[], Attributes>()));
    let attributes = byList.get(capabilities);
    if (attributes === undefined) {
      attributes = Object.freeze({ outcome: 'allow', code: 'OK', transport, capability: capabilities.join(',') });
      byList.set(capabilities, attributes);
    }
    this.counter.add(1, attributes);
  }

  /** One request refused with error `code`, for `capability` (the first one missing, or the route's first when nobody was identified). */
  denied(transport: Transport, code: string, capability: string): void {
    let byCode = this.deniedBy.get(transport);
    if (byCode === undefined) this.deniedBy.set(transport, (byCode = new Map<string, ByCapability>()));
    let byCapability = byCode.get(code);
    if (byCapability === undefined) byCode.set(code, (byCapability = new Map<string, Attributes>()));
    let attributes = byCapability.get(capability);
    if (attributes === undefined) {
      attributes = Object.freeze({ outcome: 'deny', code, transport, capability });
      byCapability.set(capability, attributes);
    }
    this.counter.add(1, attributes);
  }
}
