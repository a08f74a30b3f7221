import type { CapabilityPolicy } from '../capabilities/capability-policy';
import { assertEmail } from '../capabilities/email';
import { assertScope } from '../capabilities/scope';
import type { GrantEdit } from './capability-store';
import type { JobOutcome } from './group-commit-queue';

/** The whole list one account should hold from now on, globally (`scope` null) or at one scope. */
export interface GrantChange {
  readonly email: string;
  readonly capabilities: string[];
  readonly scope: string | null;
}

/**
 * Judges one grant edit on `policy`: the policy it leaves, and the change to write
 * (none when the account holds that list there already). Throws the edit's own error,
 * or the one of an invalid email, scope or an undefined capability; nothing is changed then.
 *
 * @example
 * const { policy: next, change } = judgeGrant(policy, () => ({ email: 'bob@example.com', capabilities: ['bake'], scope: 'shop:paris' }));
 */
export function judgeGrant(policy: CapabilityPolicy, edit: GrantEdit): { readonly policy: CapabilityPolicy; readonly change: GrantChange | undefined } {
  const result = edit(policy);
  const email = assertEmail(result.email);
  const scope = result.scope === undefined || result.scope === null ? null : assertScope(result.scope);
  const capabilities = [...new Set(result.capabilities)];
  const held = scope === null ? (policy.users.get(email) ?? []) : policy.storedAt(email, scope);
  if (sameList(held, capabilities)) return { policy, change: undefined };
  const next = scope === null ? policy.withUser(email, capabilities) : policy.withScopedUser(scope, email, capabilities);
  return { policy: next, change: { email, capabilities, scope } };
}

/**
 * Judges `edits` in order, each on the policy the ones before it left; an edit that
 * throws is refused alone. Answers each edit's outcome and the last change of each
 * account at each scope, in the order they were last changed.
 */
export function judgeGrants(start: CapabilityPolicy, edits: readonly GrantEdit[]): { readonly changes: GrantChange[]; readonly outcomes: JobOutcome<CapabilityPolicy>[] } {
  let policy = start;
  const changes = new Map<string, GrantChange>();
  const outcomes = edits.map((edit): JobOutcome<CapabilityPolicy> => {
    try {
      const judged = judgeGrant(policy, edit);
      policy = judged.policy;
      if (judged.change !== undefined) {
        // A scope path never holds a space, so the key cannot mix two targets.
        const key = `${judged.change.scope ?? ''} ${judged.change.email}`;
        changes.delete(key);
        changes.set(key, judged.change);
      }
      return { ok: true, value: policy };
    } catch (error) {
      return { ok: false, error };
    }
  });
  return { changes: [...changes.values()], outcomes };
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((name, index) => name === b[index]);
}
