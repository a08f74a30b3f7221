import { canonicalizeEmail, isServiceAccount } from '../capabilities/email';
import { LoginError } from '../errors';

/**
 * The account key of a provider's email: canonical, and never a service account,
 * so `bot@service` cannot sign in in any disguise (`BOT@SERVICE`, `bot@service.`,
 * a full-width `＠`, which is refused outright). Throws `LOGIN_REFUSED` with a message
 * fit for the user.
 */
export function accountEmailOf(providerEmail: unknown): string {
  const canonical = canonicalizeEmail(providerEmail);
  if ('problem' in canonical) throw new LoginError('LOGIN_REFUSED', `sign-in refused: ${canonical.problem}`);
  if (isServiceAccount(canonical.email)) {
    throw new LoginError('LOGIN_REFUSED', 'sign-in refused: service accounts (name@service) cannot sign in through a provider');
  }
  return canonical.email;
}
