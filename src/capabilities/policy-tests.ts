import type { CapabilityPolicy } from './capability-policy';
import { explain, type Explanation } from './explain';

/** One policy test: who asks (a guest for `email` null), where, and what must be allowed and denied. */
export interface PolicyTestCase {
  readonly name: string;
  readonly email: string | null;
  readonly scope?: string | undefined;
  readonly allow: readonly string[];
  readonly deny: readonly string[];
}

/** An assertion that did not hold, with the explanation of what the policy says instead. */
export interface PolicyTestFailure {
  readonly test: string;
  readonly email: string | null;
  readonly scope: string | null;
  readonly capability: string;
  readonly expected: 'allow' | 'deny';
  readonly explanation: Explanation;
}

/** How a run of policy tests went: assertions checked, and every one that failed. */
export interface PolicyTestRun {
  readonly assertions: number;
  readonly failures: readonly PolicyTestFailure[];
}

/**
 * Checks every assertion of `tests` against `policy`, each by `explain`, so that a
 * failure carries the reason the policy gives. Every assertion is checked, not only
 * the first failing one of a test.
 *
 * @example
 * runPolicyTests(policy, [{ name: 'bakers bake', email: 'bob@example.com', scope: 'shop:paris', allow: ['bake'], deny: ['arrest'] }]);
 */
export function runPolicyTests(policy: CapabilityPolicy, tests: readonly PolicyTestCase[]): PolicyTestRun {
  let assertions = 0;
  const failures: PolicyTestFailure[] = [];
  for (const test of tests) {
    for (const [expected, names] of [['allow', test.allow], ['deny', test.deny]] as const) {
      for (const capability of names) {
        assertions++;
        const explanation = explain(policy, test.email, capability, test.scope);
        if (explanation.allowed !== (expected === 'allow')) {
          failures.push({ test: test.name, email: test.email, scope: test.scope ?? null, capability, expected, explanation });
        }
      }
    }
  }
  return { assertions, failures };
}
