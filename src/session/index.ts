export { cookiePolicyFor, readCookies, type CookiePolicy } from './cookie-jar';
export { LoginAttempts, LOGIN_ATTEMPT_TTL_SECONDS, assertSameProvider, assertStateMatches, type LoginAttempt } from './login-attempt';
export { safeRedirectPath } from './safe-redirect';
export { SessionCookie, type Session } from './session-cookie';
