import type { Explanation } from '../capabilities/explain';

/**
 * An explanation as lines for a terminal: one per way the capability is held, e.g.
 * `users: admin -> bake` or `scope shop:paris: sell_bread -> bake`.
 */
export function explanationLines(explanation: Explanation, capability: string): string[] {
  if (explanation.because.length === 0) return [`  no grant leads to ${capability}`];
  return explanation.because.map(({ source, scope, path }) => `  ${scope === null ? source : `${source} ${scope}`}: ${path.join(' -> ')}`);
}
