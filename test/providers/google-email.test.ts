import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LoginError } from '../../src/errors';
import { googleVerifiedEmail } from '../../src/providers/google/google-email';

function refusedWith(message: string, run: () => unknown): void {
  assert.throws(run, (error: unknown) => {
    assert.ok(error instanceof LoginError);
    assert.equal(error.code, 'LOGIN_REFUSED');
    assert.equal(error.message, message);
    return true;
  });
}

describe('googleVerifiedEmail', () => {
  it('returns the email Google has verified', () => {
    assert.equal(googleVerifiedEmail({ sub: '1', email: 'Ada@Example.com', email_verified: true }), 'Ada@Example.com');
  });

  it('refuses email_verified false, missing, or anything but the boolean true', () => {
    for (const verified of [false, undefined, 'true', 1, null]) {
      refusedWith('sign-in refused: Google has not verified this email address', () =>
        googleVerifiedEmail({ sub: '1', email: 'ada@example.com', email_verified: verified }),
      );
    }
  });

  it('refuses a profile without an email', () => {
    for (const userinfo of [{ sub: '1', email_verified: true }, { sub: '1', email: '', email_verified: true }, null, 'x']) {
      refusedWith('sign-in refused: Google did not share an email address (the "email" scope is required)', () => googleVerifiedEmail(userinfo));
    }
  });

  it('refuses an account of another Workspace domain when hostedDomain is set', () => {
    assert.equal(googleVerifiedEmail({ email: 'ada@corp.example', email_verified: true, hd: 'corp.example' }, 'corp.example'), 'ada@corp.example');
    refusedWith('sign-in refused: only accounts of corp.example may sign in here', () =>
      googleVerifiedEmail({ email: 'ada@gmail.com', email_verified: true }, 'corp.example'),
    );
  });
});
