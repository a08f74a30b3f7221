import { InvalidInputError } from '../errors';

/** RFC 5321 caps a forward path at 256 octets including the brackets. */
export const MAX_EMAIL_LENGTH = 254;

/** The domain that marks a non-human account, e.g. `bot@service`. */
export const SERVICE_DOMAIN = 'service';

// Control characters, and the invisible ones that let two different strings look alike:
// zero-width spaces and joiners, bidirectional marks and overrides, the BOM, soft hyphen.
const FORBIDDEN_CHARACTERS = /[\u0000-\u001f\u007f-\u009f\u00ad\u061c\u115f\u1160\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\u3164\ufeff\uffa0]/u;
const LOCAL_PART = /^[a-z0-9!#$%&'*+/=?^_`{|}~.-]+$/u;
const COMPATIBILITY_CHARACTERS =
  'an email must be written in plain characters: full-width, mathematical, circled and other compatibility forms (such as ＠ or ａ) are refused';
const DOMAIN_LABEL = /^(?!-)[\p{L}\p{N}-]{1,63}(?<!-)$/u;

/**
 * Tells why `value` is not an acceptable email, or returns its canonical form.
 * Canonical means: surrounding white space removed, Unicode NFC (a decomposed `ü` is
 * the composed one), lower case, and no trailing dot on the domain. An address that
 * compatibility folding (NFKC) would change is refused rather than folded: folding
 * would make `ａｄｍｉｎ@…`, `𝐚𝐝𝐦𝐢𝐧@…` or `ⓐⓓⓜⓘⓝ@…` the account of `admin@…`.
 */
export function canonicalizeEmail(value: unknown): { email: string } | { problem: string } {
  if (typeof value !== 'string') return { problem: 'an email must be a string' };
  if (value.length > MAX_EMAIL_LENGTH * 4) return { problem: `an email must be at most ${MAX_EMAIL_LENGTH} characters` };
  const trimmed = value.trim();
  const composed = trimmed.normalize('NFC');
  if (FORBIDDEN_CHARACTERS.test(composed)) return { problem: 'an email must not contain control or invisible characters' };
  if (composed !== trimmed.normalize('NFKC')) return { problem: COMPATIBILITY_CHARACTERS };
  const normalized = composed.toLowerCase();
  const email = normalized.replace(/\.+$/u, '');
  if (email.length === 0) return { problem: 'an email must not be empty' };
  if (email.length > MAX_EMAIL_LENGTH) return { problem: `an email must be at most ${MAX_EMAIL_LENGTH} characters` };
  const at = email.indexOf('@');
  if (at <= 0 || at !== email.lastIndexOf('@') || at === email.length - 1) {
    return { problem: `${JSON.stringify(email)} is not an email address: it needs one @ between a name and a domain` };
  }
  const local = email.slice(0, at);
  const domain = email.slice(at + 1);
  if (!LOCAL_PART.test(local) || local.startsWith('.') || local.endsWith('.') || local.includes('..')) {
    return { problem: `${JSON.stringify(email)} is not an email address: invalid characters before the @` };
  }
  if (!domain.split('.').every((label) => DOMAIN_LABEL.test(label))) {
    return { problem: `${JSON.stringify(email)} is not an email address: invalid domain` };
  }
  return { email };
}

/**
 * Returns the canonical form of `value`, or throws `INVALID_EMAIL`.
 *
 * @example assertEmail(' Bob@Example.COM. ') // 'bob@example.com'
 */
export function assertEmail(value: unknown, field = 'email'): string {
  const result = canonicalizeEmail(value);
  if ('problem' in result) throw new InvalidInputError('INVALID_EMAIL', field, result.problem);
  return result.email;
}

/** Whether a canonical email names a service account (`name@service`). */
export function isServiceAccount(canonicalEmail: string): boolean {
  return canonicalEmail.endsWith(`@${SERVICE_DOMAIN}`);
}
