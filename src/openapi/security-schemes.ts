import { ApiBearerAuth, ApiCookieAuth } from '@nestjs/swagger';

/** Name of the bearer security scheme in the document. */
export const BEARER_SCHEME = 'bearer';
/** Name of the session cookie security scheme in the document. */
export const SESSION_SCHEME = 'session';

/** A swagger method decorator, applied by hand. */
export type Decorate = (target: object, key: string | symbol, descriptor: PropertyDescriptor) => unknown;

/** Either a bearer token or the session cookie authenticates. */
export function securedBy(): Decorate[] {
  return [ApiBearerAuth(BEARER_SCHEME), ApiCookieAuth(SESSION_SCHEME)];
}
