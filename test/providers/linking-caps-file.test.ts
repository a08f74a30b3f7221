import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseCapsFile } from '../../src/caps-file/caps-file';
import { identityKey, identityKeyProblem } from '../../src/capabilities/identity-link';
import { CapsFileError, LoginError } from '../../src/errors';

const HEAD = ['capabilities:', '  read: []', 'users:', '  bob@example.com: [read]'];

function yaml(...lines: string[]): string {
  return `${[...HEAD, ...lines].join('\n')}\n`;
}

function rejected(text: string, expected: { code: string; detail: string; line: number; offender: string }): void {
  assert.throws(
    () => parseCapsFile(text, 'caps.yaml'),
    (error: unknown) => {
      assert.ok(error instanceof CapsFileError);
      assert.deepEqual({ code: error.code, detail: error.detail, line: error.line, offender: error.offender }, expected);
      return true;
    },
  );
}

describe('caps.yaml identities', () => {
  it('reads "<provider>:<subject>": email links, canonicalizing the email', () => {
    const policy = parseCapsFile(yaml('identities:', '  github:2000001: Bob@Example.com.', '  google:1000001: ada@example.com'), 'caps.yaml');
    assert.equal(policy.linkedAccount('github:2000001'), 'bob@example.com');
    assert.equal(policy.linkedAccount('google:1000001'), 'ada@example.com');
    assert.equal(policy.linkedAccount('google:2000001'), undefined);
  });

  it('accepts no identities, and an empty section', () => {
    assert.equal(parseCapsFile(yaml(), 'caps.yaml').identities.size, 0);
    assert.equal(parseCapsFile(yaml('identities:'), 'caps.yaml').identities.size, 0);
  });

  it('keeps the links through a change of grants', () => {
    const policy = parseCapsFile(yaml('identities:', '  github:1: bob@example.com'), 'caps.yaml');
    assert.equal(policy.withUsers(new Map([['bob@example.com', []]])).linkedAccount('github:1'), 'bob@example.com');
  });

  it('refuses a key that is not "<provider>:<subject>"', () => {
    rejected(yaml('identities:', '  2000001: bob@example.com'), {
      code: 'CAPS_SCHEMA',
      detail: 'in "identities": an identity must be a string "<issuer>#<subject>"',
      line: 6,
      offender: '2000001',
    });
    rejected(yaml('identities:', '  GitHub:1: bob@example.com'), {
      code: 'CAPS_SCHEMA',
      detail: 'in "identities": "GitHub:1" is not "<issuer>#<subject>" with an http(s) issuer, nor "<provider>:<subject>" with a provider name of lower-case letters, digits and dashes',
      line: 6,
      offender: 'GitHub:1',
    });
  });

  it('refuses an identity listed twice', () => {
    rejected(yaml('identities:', '  github:1: bob@example.com', '  github:1: ada@example.com'), {
      code: 'CAPS_SCHEMA',
      detail: 'in "identities": "github:1" is listed twice',
      line: 7,
      offender: 'github:1',
    });
  });

  it('refuses an invalid email and a service account as the linked account', () => {
    rejected(yaml('identities:', '  github:1: not-an-email'), {
      code: 'INVALID_EMAIL',
      detail: 'in "identities": "not-an-email" is not an email address: it needs one @ between a name and a domain',
      line: 6,
      offender: 'not-an-email',
    });
    rejected(yaml('identities:', '  github:1: BOT@Service.'), {
      code: 'CAPS_SCHEMA',
      detail: 'in "identities": "github:1" cannot sign in to the service account "bot@service"',
      line: 6,
      offender: 'bot@service',
    });
  });
});

describe('linking in the policy', () => {
  const policy = parseCapsFile(yaml('identities:', '  github:1: bob@example.com'), 'caps.yaml');

  it('adds a link, leaving the original policy unchanged', () => {
    const next = policy.withIdentityLink('google:9', 'bob@example.com');
    assert.equal(next.linkedAccount('google:9'), 'bob@example.com');
    assert.equal(policy.linkedAccount('google:9'), undefined);
  });

  it('accepts linking again to the same account as no change', () => {
    assert.equal(policy.withIdentityLink('github:1', 'bob@example.com'), policy);
  });

  it('refuses an identity linked to another account', () => {
    assert.throws(
      () => policy.withIdentityLink('github:1', 'eve@example.com'),
      (error: unknown) => {
        assert.ok(error instanceof LoginError);
        assert.equal(error.code, 'LOGIN_IDENTITY_LINKED');
        assert.equal(
          error.message,
          'this sign-in is already linked to another account, so it was not linked to yours; an administrator can move it in the capability file',
        );
        return true;
      },
    );
  });
});

describe('identityKey', () => {
  it('joins issuer and subject, and still reads the older provider-name form', () => {
    assert.equal(identityKey('https://github.com', '2000001'), 'https://github.com#2000001');
    assert.equal(identityKey('https://idp.example.com/realms/a', 'a|b@c#d'), 'https://idp.example.com/realms/a#a|b@c#d');
    assert.equal(identityKeyProblem('oidc-corp:a|b@c'), undefined);
    assert.throws(() => identityKey('github', '2000001'), { code: 'LOGIN_PROVIDER_ERROR' });
    assert.throws(() => identityKey('https://idp.example.com/?x=1', '2000001'), { code: 'LOGIN_PROVIDER_ERROR' });
  });

  it('refuses a subject with spaces, control characters or no characters', () => {
    for (const subject of ['', 'a b', 'a\nb', 'x'.repeat(256)]) {
      assert.throws(() => identityKey('https://github.com', subject), { code: 'LOGIN_PROVIDER_ERROR' });
    }
  });
});
