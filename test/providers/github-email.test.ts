import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LoginError } from '../../src/errors';
import { chooseGitHubEmail, gitHubEmails } from '../../src/providers/github/github-email';

const NO_EMAIL_MESSAGE =
  'sign-in refused: your GitHub account has no verified primary email address; verify one at https://github.com/settings/emails and sign in again';

function refused(run: () => unknown): void {
  assert.throws(run, (error: unknown) => {
    assert.ok(error instanceof LoginError);
    assert.equal(error.code, 'LOGIN_REFUSED');
    assert.equal(error.message, NO_EMAIL_MESSAGE);
    return true;
  });
}

describe('chooseGitHubEmail', () => {
  const emails = [
    { email: 'old@example.org', primary: false, verified: true },
    { email: 'Main@Example.com', primary: true, verified: true, visibility: 'private' },
    { email: 'typo@example.net', primary: false, verified: false },
  ];

  it('takes the primary verified address when /user has no public email', () => {
    assert.equal(chooseGitHubEmail(null, emails), 'Main@Example.com');
  });

  it('takes the public email when /user/emails confirms it verified, even if not primary', () => {
    assert.equal(chooseGitHubEmail('OLD@example.org', emails), 'old@example.org');
  });

  it('ignores a public email that /user/emails does not confirm verified, falling back to the primary verified one', () => {
    assert.equal(chooseGitHubEmail('typo@example.net', emails), 'Main@Example.com');
    assert.equal(chooseGitHubEmail('unknown@example.com', emails), 'Main@Example.com');
  });

  it('refuses when the primary address is not verified and the public one is not confirmed', () => {
    refused(() => chooseGitHubEmail('typo@example.net', [{ email: 'main@example.com', primary: true, verified: false }, emails[2]]));
  });

  it('refuses when verified addresses exist but none is primary and /user shows none', () => {
    refused(() => chooseGitHubEmail(null, [{ email: 'old@example.org', primary: false, verified: true }]));
  });

  it('refuses an empty or malformed /user/emails answer', () => {
    refused(() => chooseGitHubEmail(null, []));
    refused(() => chooseGitHubEmail('a@example.com', { message: 'Not Found' }));
    refused(() => chooseGitHubEmail(null, undefined));
  });

  it('does not take "verified" or "primary" from anything but the boolean true', () => {
    refused(() => chooseGitHubEmail(null, [{ email: 'main@example.com', primary: 'true', verified: 1 }]));
  });
});

describe('gitHubEmails', () => {
  it('keeps well-formed entries only', () => {
    assert.deepEqual(gitHubEmails([null, 3, { email: 7 }, { email: 'a@example.com', primary: true }]), [
      { email: 'a@example.com', primary: true, verified: false },
    ]);
  });
});
