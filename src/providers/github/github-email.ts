import { LoginError } from '../../errors';

/** One entry of GitHub's `GET /user/emails`. */
export interface GitHubEmail {
  readonly email: string;
  readonly primary: boolean;
  readonly verified: boolean;
}

/**
 * The address a GitHub user signs in with: the public email of `/user` only when
 * `/user/emails` confirms it verified, else the primary verified one. Throws
 * `LOGIN_REFUSED` with a message for the user when there is none.
 *
 * @example
 * chooseGitHubEmail(null, [{ email: 'octo@example.com', primary: true, verified: true }]); // 'octo@example.com'
 */
export function chooseGitHubEmail(publicEmail: unknown, emails: unknown): string {
  const list = gitHubEmails(emails);
  if (typeof publicEmail === 'string') {
    const confirmed = list.find((entry) => entry.verified && sameAddress(entry.email, publicEmail));
    if (confirmed !== undefined) return confirmed.email;
  }
  const primary = list.find((entry) => entry.primary && entry.verified);
  if (primary !== undefined) return primary.email;
  throw new LoginError(
    'LOGIN_REFUSED',
    'sign-in refused: your GitHub account has no verified primary email address; verify one at https://github.com/settings/emails and sign in again',
  );
}

/** The well-formed entries of a `/user/emails` answer; anything else is left out. */
export function gitHubEmails(value: unknown): GitHubEmail[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((entry: unknown) => {
    if (typeof entry !== 'object' || entry === null) return [];
    const { email, primary, verified } = entry as Record<string, unknown>;
    if (typeof email !== 'string') return [];
    return [{ email, primary: primary === true, verified: verified === true }];
  });
}

function sameAddress(a: string, b: string): boolean {
  return a.trim().toLowerCase() === b.trim().toLowerCase();
}
