import { LoginError } from '../errors';

/** `"<provider>:<subject>"` -> canonical email of the account it signs in to. */
export type IdentityLinks = ReadonlyMap<string, string>;

const PROVIDER = /^[a-z0-9][a-z0-9-]{0,31}$/;
const MAX_SUBJECT_LENGTH = 255;
// Subjects are opaque provider identifiers: printable, no white space or control characters.
const SUBJECT = /^[\x21-\x7e]+$/;

/**
 * The key of a provider identity in caps.yaml's `identities`: the provider's route
 * name and its stable subject (`sub`, GitHub's numeric id), never the email, which
 * a user may change at the provider.
 *
 * @example
 * identityKey('github', '2000001'); // 'github:2000001'
 */
export function identityKey(provider: string, subject: string): string {
  const key = `${provider}:${subject}`;
  const problem = identityKeyProblem(key);
  if (problem !== undefined) throw new LoginError('LOGIN_PROVIDER_ERROR', `the provider's identity cannot be linked: ${problem}`);
  return key;
}

/** Why `value` is not an identity key (`<provider>:<subject>`), or undefined when it is one. */
export function identityKeyProblem(value: unknown): string | undefined {
  if (typeof value !== 'string') return 'an identity must be a string "<provider>:<subject>"';
  const at = value.indexOf(':');
  const provider = value.slice(0, at);
  const subject = value.slice(at + 1);
  if (at <= 0 || !PROVIDER.test(provider)) {
    return `${JSON.stringify(value.slice(0, 80))} is not "<provider>:<subject>" with a provider name of lower-case letters, digits and dashes`;
  }
  if (subject.length === 0 || subject.length > MAX_SUBJECT_LENGTH || !SUBJECT.test(subject)) {
    return `the subject of ${JSON.stringify(value.slice(0, 80))} must be 1 to ${MAX_SUBJECT_LENGTH} printable characters without spaces`;
  }
  return undefined;
}
