import { LoginError } from '../errors';

/** `"<issuer>#<subject>"` (or the older `"<provider>:<subject>"`) -> canonical email of the account it signs in to. */
export type IdentityLinks = ReadonlyMap<string, string>;

const PROVIDER = /^[a-z0-9][a-z0-9-]{0,31}$/;
const MAX_SUBJECT_LENGTH = 255;
// Subjects are opaque provider identifiers: printable, no white space or control characters.
const SUBJECT = /^[\x21-\x7e]+$/;
// An OpenID Connect issuer: an http(s) URL with no query or fragment.
const ISSUER = /^https?:\/\/[\x21-\x22\x24-\x3e\x40-\x7e]{1,255}$/;

/**
 * The key of a provider identity in caps.yaml's `identities`: the provider's issuer
 * and its stable subject (`sub`, GitHub's numeric id), `<issuer>#<subject>`; never
 * the email, which a user may change at the provider, and never the provider's
 * route name, which may be pointed at another identity provider. An issuer is an
 * http(s) URL without query or fragment, so the first `#` ends it.
 *
 * @example
 * identityKey('https://github.com', '2000001'); // 'https://github.com#2000001'
 */
export function identityKey(issuer: string, subject: string): string {
  const key = `${issuer}#${subject}`;
  const problem = ISSUER.test(issuer) ? identityKeyProblem(key) : `${JSON.stringify(issuer.slice(0, 80))} is not an http(s) issuer without query or fragment`;
  if (problem !== undefined) throw new LoginError('LOGIN_PROVIDER_ERROR', `the provider's identity cannot be linked: ${problem}`);
  return key;
}

/**
 * The key a link had before keys named the issuer: `<route name>:<subject>`. Still
 * read for Google and GitHub, whose issuer a route name cannot change.
 *
 * @example
 * legacyIdentityKey('github', '2000001'); // 'github:2000001'
 */
export function legacyIdentityKey(provider: string, subject: string): string {
  return `${provider}:${subject}`;
}

/** Why `value` is not an identity key (`<issuer>#<subject>`, or the older `<provider>:<subject>`), or undefined when it is one. */
export function identityKeyProblem(value: unknown): string | undefined {
  if (typeof value !== 'string') return 'an identity must be a string "<issuer>#<subject>"';
  const hash = value.indexOf('#');
  if (hash > 0 && ISSUER.test(value.slice(0, hash))) return subjectProblem(value, value.slice(hash + 1));
  const at = value.indexOf(':');
  const provider = value.slice(0, at);
  // `https://...` that is not an issuer is no route name either.
  if (at <= 0 || !PROVIDER.test(provider) || provider === 'http' || provider === 'https') {
    return `${JSON.stringify(value.slice(0, 80))} is not "<issuer>#<subject>" with an http(s) issuer, nor "<provider>:<subject>" with a provider name of lower-case letters, digits and dashes`;
  }
  return subjectProblem(value, value.slice(at + 1));
}

function subjectProblem(value: string, subject: string): string | undefined {
  if (subject.length === 0 || subject.length > MAX_SUBJECT_LENGTH || !SUBJECT.test(subject)) {
    return `the subject of ${JSON.stringify(value.slice(0, 80))} must be 1 to ${MAX_SUBJECT_LENGTH} printable characters without spaces`;
  }
  return undefined;
}
