import type { CapabilityPolicy } from '../capabilities/capability-policy';
import { assertEmail } from '../capabilities/email';
import { assertScope } from '../capabilities/scope';
import { CapsDocument, type EditableCaps, type Undo } from './caps-document';
import type { AccountDeletion, GrantEdit, ScopeDrop } from './capability-store';
import { judgeGrant } from './grant-judgment';
import type { JobOutcome } from './group-commit-queue';

/** A request to link a provider identity to an account, queued with the grant edits. */
export interface IdentityLinkJob {
  readonly identity: string;
  readonly email: string;
}

/** A request to delete an account, queued with the grant edits. */
export interface AccountDeletionJob {
  readonly deletion: AccountDeletion;
}

/**
 * A request to remove every grant at a scope and below, queued with the grant edits;
 * `removed` is told how many (account, capability, scope) grants went.
 */
export interface ScopeDropJob {
  readonly drop: ScopeDrop;
  readonly removed: (count: number) => void;
}

/** One write the file store serializes: a grant edit, an identity link, an account's deletion or a scope's. */
export type StoreJob = GrantEdit | IdentityLinkJob | AccountDeletionJob | ScopeDropJob;

/** A batch of jobs applied in memory, not yet written. */
export interface AppliedBatch {
  /** The policy after the last job that succeeded. */
  readonly policy: CapabilityPolicy;
  /** Per job: the policy it left, or why it was refused. */
  readonly outcomes: readonly JobOutcome<CapabilityPolicy>[];
  /** Whether the document differs from before, so a write is due. */
  readonly changed: boolean;
  /** The document holding every change: the one given, or a whole-file one when a link needed it. */
  readonly document: EditableCaps;
  /** Puts the document given back as it was before the batch, if the write fails. */
  readonly undo: Undo;
}

/**
 * Applies `jobs` in order, each against the policy left by the ones before it, so
 * each job's own checks (escalation, last admin, an identity linked elsewhere, an
 * account's deletion, a scope's) see the earlier ones. A job that throws, or names an invalid email or an undefined
 * capability, is refused alone and changes nothing. A user whose list becomes empty
 * keeps an entry `email: []`; an absent user given an empty list is left absent.
 *
 * @example
 * const batch = applyStoreJobs(store.current(), document, [(policy) => ({ email, capabilities: ['read'] }), { identity: 'github:1', email }]);
 * if (batch.changed) await writeFileAtomic(file, batch.document.toString());
 */
export function applyStoreJobs(start: CapabilityPolicy, given: EditableCaps, jobs: readonly StoreJob[]): AppliedBatch {
  let policy = start;
  let document = given;
  const undos: Undo[] = [];
  const outcomes = jobs.map((job): JobOutcome<CapabilityPolicy> => {
    try {
      let next: CapabilityPolicy;
      let undo: Undo | undefined;
      if (typeof job === 'function') {
        const judged = judgeGrant(policy, job);
        next = judged.policy;
        const change = judged.change;
        if (change !== undefined && change.scope === null) undo = document.setGrants(change.email, change.capabilities);
        if (change !== undefined && change.scope !== null) {
          const whole = wholeDocument(document);
          document = whole;
          undo = whole.setScopedGrants(change.scope, change.email, change.capabilities);
        }
      } else if ('drop' in job) {
        const scope = assertScope(job.drop(policy));
        const dropped = policy.withoutScope(scope);
        next = dropped.policy;
        if (dropped.removed > 0) {
          const whole = wholeDocument(document);
          document = whole;
          undo = whole.removeScopeTree(scope);
        }
        job.removed(dropped.removed);
      } else if ('deletion' in job) {
        const email = assertEmail(job.deletion(policy));
        const links = policy.identitiesOf(email);
        next = policy.withoutAccount(email);
        if (next !== policy) {
          const whole = wholeDocument(document);
          document = whole;
          undo = whole.removeAccount(email, links);
        }
      } else {
        const email = assertEmail(job.email);
        next = policy.withIdentityLink(job.identity, email);
        if (next !== policy) {
          const linkable = wholeDocument(document);
          document = linkable;
          undo = linkable.setIdentity(job.identity, email);
        }
      }
      if (undo !== undefined && document === given) undos.push(undo);
      policy = next;
      return { ok: true, value: policy };
    } catch (error) {
      return { ok: false, error };
    }
  });
  return {
    policy,
    outcomes,
    changed: policy !== start,
    document,
    undo: () => {
      for (const undo of undos.reverse()) undo();
    },
  };
}

// Links, deletions and scoped grants go through the whole document: the line-by-line
// document of a large users block is parsed whole for them.
function wholeDocument(document: EditableCaps): Required<EditableCaps> {
  return isWhole(document) ? document : CapsDocument.parse(document.toString());
}

function isWhole(document: EditableCaps): document is Required<EditableCaps> {
  return document.setIdentity !== undefined && document.removeAccount !== undefined && document.setScopedGrants !== undefined && document.removeScopeTree !== undefined;
}
