import type { CapabilityPolicy } from '../capabilities/capability-policy';
import { assertEmail } from '../capabilities/email';
import { CapsDocument } from './caps-document';
import type { GrantEdit } from './capability-store';
import { applyGrantEdits } from './grant-batch';
import type { JobOutcome } from './group-commit-queue';

/** A request to link a provider identity to an account, queued with the grant edits. */
export interface IdentityLinkJob {
  readonly identity: string;
  readonly email: string;
}

/** One write the file store serializes: a grant edit or an identity link. */
export type StoreJob = GrantEdit | IdentityLinkJob;

export function isIdentityLink(job: StoreJob): job is IdentityLinkJob {
  return typeof job !== 'function';
}

/**
 * Applies `jobs` in order to the text of the file, each against the policy the ones
 * before it left, through a fresh yaml `Document` per job so that every kind of
 * edit keeps comments and key order. Each job may fail alone. Links are rare (one
 * per user and provider), so this path trades speed for staying simple.
 *
 * @example
 * const { text, outcomes } = applyJobsToText(policy, document.toString(), [{ identity: 'github:1', email: 'bob@example.com' }]);
 */
export function applyJobsToText(
  start: CapabilityPolicy,
  startText: string,
  jobs: readonly StoreJob[],
): { readonly text: string; readonly changed: boolean; readonly outcomes: readonly JobOutcome<CapabilityPolicy>[] } {
  let policy = start;
  let text = startText;
  let changed = false;
  const outcomes = jobs.map((job): JobOutcome<CapabilityPolicy> => {
    try {
      const document = CapsDocument.parse(text);
      if (!isIdentityLink(job)) {
        const batch = applyGrantEdits(policy, document, [job]);
        const outcome = batch.outcomes[0]!;
        if (outcome.ok && batch.changed) {
          text = document.toString();
          policy = batch.policy;
          changed = true;
        }
        return outcome;
      }
      const email = assertEmail(job.email);
      const next = policy.withIdentityLink(job.identity, email);
      if (next !== policy) {
        document.setIdentity(job.identity, email);
        text = document.toString();
        policy = next;
        changed = true;
      }
      return { ok: true, value: policy };
    } catch (error) {
      return { ok: false, error };
    }
  });
  return { text, changed, outcomes };
}
