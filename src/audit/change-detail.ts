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
