import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CLIENT_AUTH_FAILURES_ALLOWED, ClientAuthThrottle } from '../../src/clients/client-auth-throttle';

describe('ClientAuthThrottle', () => {
  it('refuses a client id and address with OAUTH_SLOW_DOWN after 10 failures within a minute, until the minute is over', () => {
    let now = 1_000_000;
    const throttle = new ClientAuthThrottle(() => now);
    for (let i = 0; i < CLIENT_AUTH_FAILURES_ALLOWED; i++) {
      throttle.assertMayTry('ncc_a', '10.0.0.1');
      throttle.failed('ncc_a', '10.0.0.1');
      now += 1_000;
    }
    assert.throws(() => throttle.assertMayTry('ncc_a', '10.0.0.1'), (error: { code?: string; retryAfterSeconds?: number; oauthError?: string }) => {
      assert.equal(error.code, 'OAUTH_SLOW_DOWN');
      assert.equal(error.oauthError, 'slow_down');
      assert.equal(error.retryAfterSeconds, 50);
      return true;
    });
    throttle.assertMayTry('ncc_a', '10.0.0.2');
    throttle.assertMayTry('ncc_b', '10.0.0.1');
    now = 1_000_000 + 59_999;
    assert.throws(() => throttle.assertMayTry('ncc_a', '10.0.0.1'), { code: 'OAUTH_SLOW_DOWN' });
    now = 1_000_000 + 60_000;
    throttle.assertMayTry('ncc_a', '10.0.0.1');
  });

  it('forgets failures older than a minute', () => {
    let now = 0;
    const throttle = new ClientAuthThrottle(() => now);
    for (let i = 0; i < CLIENT_AUTH_FAILURES_ALLOWED - 1; i++) throttle.failed('ncc_a', 'x');
    now = 60_000;
    throttle.failed('ncc_a', 'x');
    throttle.assertMayTry('ncc_a', 'x');
  });

  it('remembers a bounded number of pairs, dropping the oldest', () => {
    const throttle = new ClientAuthThrottle(() => 0, 3);
    for (const id of ['a', 'b', 'c', 'd', 'e']) throttle.failed(id, 'x');
    assert.equal(throttle.size, 3);
  });
});
