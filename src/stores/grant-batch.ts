import type { CapabilityPolicy } from '../capabilities/capability-policy';
import { assertEmail } from '../capabilities/email';
import type { EditableCaps, Undo } from './caps-document';
import type { GrantEdit } from './capability-store';
import type { JobOutcome } from './group-commit-queue';

/** A batch of edits applied in memory, not yet written. */
export interface AppliedBatch {
  /** The policy after the last edit that succeeded. */
  readonly policy: CapabilityPolicy;
  /** Per edit: the policy it left, or why it was refused. */
  readonly outcomes: readonly JobOutcome<CapabilityPolicy>[];
  /** Whether the document differs from before, so a write is due. */
  readonly changed: boolean;
  /** Puts the document back as it was before the batch, if the write fails. */
  readonly undo: Undo;
}

/**
 * Applies `edits` in order, each against the policy left by the ones before it, so
 * each edit's own checks see the earlier ones. An edit that throws (or names an
 * invalid email or an undefined capability) is refused alone and changes nothing.
 * A user whose list becomes empty keeps an entry `email: []`; an absent user given
 * an empty list is left absent.
 *
 * @example
 * const batch = applyGrantEdits(store.current(), document, [(policy) => ({ email, capabilities: ['read'] })]);
 */
export function applyGrantEdits(start: CapabilityPolicy, document: EditableCaps, edits: readonly GrantEdit[]): AppliedBatch {
  let policy = start;
  const undos: Undo[] = [];
  const outcomes = edits.map((edit): JobOutcome<CapabilityPolicy> => {
    try {
      const result = edit(policy);
      const email = assertEmail(result.email);
      const capabilities = [...new Set(result.capabilities)];
      const before = policy.users.get(email);
      if (sameList(before ?? [], capabilities)) return { ok: true, value: policy };
      const next = policy.withUser(email, capabilities);
      undos.push(document.setGrants(email, capabilities));
      policy = next;
      return { ok: true, value: policy };
    } catch (error) {
      return { ok: false, error };
    }
  });
  return {
    policy,
    outcomes,
    changed: undos.length > 0,
    undo: () => {
      for (const undo of undos.reverse()) undo();
    },
  };
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((name, index) => name === b[index]);
}
