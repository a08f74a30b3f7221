/** Characters of a credential's end that key the in-memory caches. */
const TAIL_LENGTH = 24;

/**
 * The key under which a long credential (a JWT, a sealed session cookie) is cached:
 * its last characters, which end its signature or authentication tag. Hashing a
 * string as a `Map` key reads all of it, some 1 µs for a 300-character token on every
 * request; the tail costs a tenth of that. Two credentials may share a tail, so a
 * cache keeps the whole credential and serves an entry only to an equal one.
 *
 * @example credentialTail(token) // the token's last 24 characters
 */
export function credentialTail(credential: string): string {
  return credential.length <= TAIL_LENGTH ? credential : credential.slice(-TAIL_LENGTH);
}
