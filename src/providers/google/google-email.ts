import { LoginError } from '../../errors';

/**
 * The email of Google's userinfo answer, refusing an address Google has not verified
 * and, when `hostedDomain` is set, an account of another Workspace domain.
 *
 * @example
 * googleVerifiedEmail({ sub: '1', email: 'a@example.com', email_verified: true }); // 'a@example.com'
 */
export function googleVerifiedEmail(userinfo: unknown, hostedDomain?: string): string {
  const { email, email_verified: verified, hd } = (typeof userinfo === 'object' && userinfo !== null ? userinfo : {}) as Record<string, unknown>;
  if (typeof email !== 'string' || email === '') {
    throw new LoginError('LOGIN_REFUSED', 'sign-in refused: Google did not share an email address (the "email" scope is required)');
  }
  if (verified !== true) {
    throw new LoginError('LOGIN_REFUSED', 'sign-in refused: Google has not verified this email address');
  }
  if (hostedDomain !== undefined && hd !== hostedDomain) {
    throw new LoginError('LOGIN_REFUSED', `sign-in refused: only accounts of ${hostedDomain} may sign in here`);
  }
  return email;
}
