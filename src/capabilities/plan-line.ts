import type { PlannedChange } from './policy-plan';

/**
 * One planned change as a line for people: `bob@example.com at shop:paris: gains bake; loses read`.
 * The command line's plan and the admin page's preview say it the same way.
 *
 * @example planLine({ email: null, scope: null, gains: ['read'], loses: [] }) // 'guests: gains read'
 */
export function planLine({ email, scope, gains, loses }: PlannedChange): string {
  const who = email ?? 'guests';
  const where = scope === null ? '' : ` at ${scope}`;
  const parts = [...(gains.length > 0 ? [`gains ${gains.join(', ')}`] : []), ...(loses.length > 0 ? [`loses ${loses.join(', ')}`] : [])];
  return `${who}${where}: ${parts.join('; ')}`;
}
