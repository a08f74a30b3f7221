import type { CapabilityPolicy } from '../capabilities/capability-policy';
import { assertEmail } from '../capabilities/email';
import type { GrantEdit } from './capability-store';
import type { JobOutcome } from './group-commit-queue';

/** The whole list one account should hold from now on. */
export interface GrantChange {
  readonly email: string;
  readonly capabilities: string[];
}

/**
 * Judges one grant edit on `policy`: the policy it leaves, and the change to write
 * (none when the account holds that list already). Throws the edit's own error, or
 * the one of an invalid email or an undefined capability; nothing is changed then.
 *
 * @example
 * const { policy: next, change } = judgeGrant(policy, () => ({ email: 'bob@example.com', capabilities: ['read'] }));
 */
export function judgeGrant(policy: CapabilityPolicy, edit: GrantEdit): { readonly policy: CapabilityPolicy; readonly change: GrantChange | undefined } {
  const result = edit(policy);
  const email = assertEmail(result.email);
  const capabilities = [...new Set(result.capabilities)];
  if (sameList(policy.users.get(email) ?? [], capabilities)) return { policy, change: undefined };
  return { policy: policy.withUser(email, capabilities), change: { email, capabilities } };
}

/**
 * Judges `edits` in order, each on the policy the ones before it left; an edit that
 * throws is refused alone. Answers each edit's outcome and the last change of each
 * account, in the order they were last changed.
 */
export function judgeGrants(start: CapabilityPolicy, edits: readonly GrantEdit[]): { readonly changes: GrantChange[]; readonly outcomes: JobOutcome<CapabilityPolicy>[] } {
  let policy = start;
  const changes = new Map<string, GrantChange>();
  const outcomes = edits.map((edit): JobOutcome<CapabilityPolicy> => {
    try {
      const judged = judgeGrant(policy, edit);
      policy = judged.policy;
      if (judged.change !== undefined) {
        changes.delete(judged.change.email);
        changes.set(judged.change.email, judged.change);
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
