import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cookiePolicyFor } from '../../src/session/cookie-jar';
import { SessionCookie } from '../../src/session/session-cookie';
import { MemoryRevocationStore } from '../../src/tokens/revocation-store';

function fresh(): { sessions: SessionCookie; revocations: MemoryRevocationStore } {
  const revocations = new MemoryRevocationStore();
  const sessions = new SessionCookie(new Uint8Array(32).fill(9), cookiePolicyFor(new URL('http://127.0.0.1:3000')), 3600, revocations);
  return { sessions, revocations };
}

function cookieOf(setCookie: string): string {
  return setCookie.split(';')[0]!;
}

describe('ending sessions through the revocation store', () => {
  it('refuses an ended session at once, from the cache and synchronously', async () => {
    const { sessions } = fresh();
    const cookie = cookieOf(await sessions.issue('ada@example.com', 'dev'));
    const session = await sessions.read(cookie);
    assert.equal(sessions.readKnown(cookie)?.email, 'ada@example.com');
    await sessions.end(session!);
    assert.equal(await sessions.read(cookie), null);
    assert.equal(sessions.readKnown(cookie), null);
  });

  it('serves from memory only the very value opened, not another that ends alike', async () => {
    const { sessions } = fresh();
    const cookie = cookieOf(await sessions.issue('ada@example.com', 'dev'));
    await sessions.read(cookie);
    const [name, value] = cookie.split('=') as [string, string];
    // Another ciphertext under the same tag (so the same tail): a forgery the cache must not answer for.
    const parts = value.split('.');
    parts[3] = `AAAA${parts[3]!.slice(4)}`;
    const forged = `${name}=${parts.join('.')}`;
    assert.equal(sessions.readKnown(forged), undefined, 'not opened before');
    assert.equal(await sessions.read(forged), null, 'and not a session once opened');
    assert.equal(sessions.readKnown(cookie)?.email, 'ada@example.com');
  });

  it('refuses an ended session on an instance that opens the cookie for the first time', async () => {
    const { sessions, revocations } = fresh();
    const cookie = cookieOf(await sessions.issue('ada@example.com', 'dev'));
    await sessions.end((await sessions.read(cookie))!);
    const other = new SessionCookie(new Uint8Array(32).fill(9), cookiePolicyFor(new URL('http://127.0.0.1:3000')), 3600, revocations);
    assert.equal(other.readKnown(cookie), undefined, 'never opened there');
    assert.equal(await other.read(cookie), null);
  });

  it('refuses the sessions issued up to an account cut-off, and only those of that account', async () => {
    const { sessions, revocations } = fresh();
    const ada = cookieOf(await sessions.issue('ada@example.com', 'dev'));
    const bob = cookieOf(await sessions.issue('bob@example.com', 'dev'));
    const issuedAt = (await sessions.read(ada))!.issuedAt;
    await revocations.revokeAccount('ada@example.com', issuedAt);
    assert.equal(await sessions.read(ada), null);
    assert.equal((await sessions.read(bob))?.email, 'bob@example.com');
  });

  it('keeps the first sign-in second when the provider tokens are refreshed, so a cut-off still covers the session', async () => {
    const { sessions, revocations } = fresh();
    const first = cookieOf(await sessions.issue('ada@example.com', 'oidc', { accessToken: 'a1' }));
    const session = (await sessions.read(first))!;
    const backdated = { ...session, issuedAt: session.issuedAt - 100 };
    const refreshed = cookieOf(await sessions.withTokens(backdated, { accessToken: 'a2' }));
    const reread = (await sessions.read(refreshed))!;
    assert.equal(reread.issuedAt, session.issuedAt - 100);
    assert.equal(reread.sessionId, session.sessionId);
    await revocations.revokeAccount('ada@example.com', session.issuedAt - 50);
    assert.equal(await sessions.read(refreshed), null);
  });
});

describe('a session on a frozen clock', () => {
  const START_MS = Date.UTC(2026, 0, 1, 12);
  let nowMs = START_MS;
  const clock = (): number => nowMs;
  const sessionsAt = (): SessionCookie =>
    new SessionCookie(new Uint8Array(32).fill(9), cookiePolicyFor(new URL('http://127.0.0.1:3000')), 3600, new MemoryRevocationStore(clock), clock);

  it('signs in until its last second, then is no session, from the cache and when opened anew', async () => {
    nowMs = START_MS;
    const sessions = sessionsAt();
    const cookie = cookieOf(await sessions.issue('ada@example.com', 'dev'));
    assert.equal((await sessions.read(cookie))?.expiresAt, START_MS / 1000 + 3600);
    nowMs = START_MS + 3599_000;
    assert.equal(sessions.readKnown(cookie)?.email, 'ada@example.com');
    nowMs = START_MS + 3600_000;
    assert.equal(sessions.readKnown(cookie), null);
    assert.equal(await sessionsAt().read(cookie), null);
  });

  it('keeps a refreshed session no longer than it had left', async () => {
    nowMs = START_MS;
    const sessions = sessionsAt();
    const session = (await sessions.read(cookieOf(await sessions.issue('ada@example.com', 'dev'))))!;
    nowMs = START_MS + 3000_000;
    const refreshed = await sessions.withTokens(session, { accessToken: 'a'.repeat(40), refreshToken: undefined, expiresAt: undefined });
    assert.match(refreshed, /Max-Age=600(;|$)/);
    assert.equal((await sessionsAt().read(cookieOf(refreshed)))?.expiresAt, START_MS / 1000 + 3600);
  });
});
