/**
 * What a change to an account's grants did, for the audit trail: `added write;
 * removed bake`, or `no change`.
 *
 * @example
 * grantChangeDetail(['read'], ['read', 'write']); // 'added write'
 */
export function grantChangeDetail(before: readonly string[], after: readonly string[]): string {
  const added = after.filter((name) => !before.includes(name)).sort();
  const removed = before.filter((name) => !after.includes(name)).sort();
  const parts = [added.length > 0 ? `added ${added.join(', ')}` : '', removed.length > 0 ? `removed ${removed.join(', ')}` : ''];
  return parts.filter((part) => part !== '').join('; ') || 'no change';
}

/**
 * What ending every token of an account did, for the audit trail.
 *
 * @example
 * accountCutOffDetail(1767225600); // 'revoked every token issued up to 2026-01-01T00:00:00.000Z'
 */
export function accountCutOffDetail(issuedUpTo: number): string {
  return `revoked every token issued up to ${new Date(issuedUpTo * 1000).toISOString()}`;
}

/**
 * What deleting an account removed, for the audit trail: its stored grants and its
 * identity links.
 *
 * @example
 * deletionDetail(['bake', 'read'], ['https://github.com#7']); // 'deleted the account (held bake, read; linked https://github.com#7)'
 */
export function deletionDetail(grants: readonly string[], identities: readonly string[]): string {
  const held = grants.length > 0 ? `held ${[...grants].sort().join(', ')}` : 'held nothing';
  const linked = identities.length > 0 ? `linked ${identities.join(', ')}` : 'no identity link';
  return `deleted the account (${held}; ${linked})`;
}
