import { canonicalizeEmail, isServiceAccount } from '../capabilities/email';
import type { Principal } from '../capabilities/principal';
import { ConfigError } from '../errors';

/**
 * Throws `CONFIG_INVALID` when `devUser` may not be used: in production (like the
 * development sign-in), or when it is not an email a person could sign in with.
 * Returns its canonical form, or null when it is not set.
 */
export function assertDevUserAllowed(devUser: unknown, production: boolean): string | null {
  if (devUser === undefined || devUser === null || devUser === '') return null;
  if (production) throw new ConfigError('devUser (every request acting as one user) cannot be enabled in production (NODE_ENV=production)');
  const canonical = canonicalizeEmail(devUser);
  if ('problem' in canonical) throw new ConfigError(`devUser: ${canonical.problem}`);
  if (isServiceAccount(canonical.email)) throw new ConfigError('devUser: a service account (@service) never signs in as a person');
  return canonical.email;
}

/** The principal of a request without credentials under `devUser`: signed in through a session, as by the development sign-in. */
export function devUserPrincipal(email: string): Principal {
  return Object.freeze({ email, kind: 'user', via: 'session' });
}

/** The start-up warning. */
export function devUserWarning(email: string): string {
  return `devUser is set: every request without credentials acts as ${email} (development only; refused in production)`;
}
