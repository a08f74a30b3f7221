// Shared graphs and helpers for the capability-core tests. Not a test file itself
// (the runners pick up `*.test.js` only).
import assert from 'node:assert/strict';
import { CapabilityGraph } from '../../src/capabilities/capability-graph';
import { CapabilityPolicy, type UserGrants } from '../../src/capabilities/capability-policy';
import { CapabilitySet } from '../../src/capabilities/capability-set';

/** The example of CONTRACT.md section 1, verbatim. */
export const CONTRACT_EXAMPLE = `capabilities:            # the graph: a capability -> the capabilities it implies
  read: []
  write: [read]
  moderate: [read, write]
  user_management: []
auto_admin: true         # adds \`admin\`, which implies every capability in the graph
default: [read]          # granted to every authenticated user
guest: []                # granted to anonymous callers
users:                   # email -> capabilities held (service accounts end in @service)
  alice@example.com: [admin]
  bob@example.com: [moderate]
  bot@service: [write]
pinned:                  # optional: grants that the HTTP API can never remove
  ops@example.com: [admin]
`;

/** The graph of the Python package easy-oauth's README. */
export const EASY_OAUTH: Readonly<Record<string, readonly string[]>> = {
  read: [],
  write: ['read'],
  moderate: ['read', 'write'],
  announce: ['read', 'write'],
  user_management: [],
};

/** A small town, for graphs that read like a story. */
export const TOWN: Readonly<Record<string, readonly string[]>> = {
  buy_bread: [],
  bake: [],
  sell_bread: ['bake'],
  walk_streets: [],
  arrest: ['walk_streets'],
  bribe: ['buy_bread'],
  extort: ['bribe', 'walk_streets'],
  run_family: ['extort', 'sell_bread'],
};

/** Builds a graph from an object literal, keeping its key order. */
export function graphOf(definitions: Readonly<Record<string, readonly string[]>>, autoAdmin = false): CapabilityGraph {
  return CapabilityGraph.build(new Map(Object.entries(definitions)), { autoAdmin });
}

/** Builds grants from an object literal. */
export function grantsOf(grants: Readonly<Record<string, readonly string[]>>): UserGrants {
  return new Map(Object.entries(grants));
}

/** A policy on `graph`; every part not given is empty. */
export function policyOf(
  graph: CapabilityGraph,
  parts: {
    defaults?: readonly string[];
    guest?: readonly string[];
    users?: Readonly<Record<string, readonly string[]>>;
    pinned?: Readonly<Record<string, readonly string[]>>;
  } = {},
): CapabilityPolicy {
  return new CapabilityPolicy({
    graph,
    defaults: parts.defaults ?? [],
    guest: parts.guest ?? [],
    users: grantsOf(parts.users ?? {}),
    pinned: grantsOf(parts.pinned ?? {}),
  });
}

/**
 * A set holding exactly `names`, NOT closed over implication. Policies never hand
 * out such sets; the tests use them to show that the rules look at the closure.
 */
export function unclosedSet(graph: CapabilityGraph, names: readonly string[]): CapabilitySet {
  const bits = new Uint32Array(Math.max(1, Math.ceil(graph.names.length / 32)));
  for (const name of names) {
    const index = graph.indexOf(name);
    assert.notEqual(index, -1, `fixture: ${name} is not in the graph`);
    bits[index >>> 5]! |= 1 << (index & 31);
  }
  return new CapabilitySet(bits, graph.names, new Map(graph.names.map((name, index) => [name, index])));
}

/** `count` independent capabilities `c0`, `c1`, ...: enough of them to span several 32-bit words. */
export function flatGraph(count: number, autoAdmin: boolean): CapabilityGraph {
  return CapabilityGraph.build(new Map(Array.from({ length: count }, (_, index) => [`c${index}`, []])), { autoAdmin });
}

/** Runs `fn`, asserts that it throws, and returns what it threw. */
export function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  assert.fail('expected the call to throw, but it returned');
}
