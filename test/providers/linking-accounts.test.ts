import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseCapsFile } from '../../src/caps-file/caps-file';
import type { CapabilityPolicy } from '../../src/capabilities/capability-policy';
import { LoginError } from '../../src/errors';
import { ProviderAccounts } from '../../src/nest/sign-in/provider-accounts';
import type { ProviderIdentity } from '../../src/providers/sign-in-provider';
import type { CapabilityStore } from '../../src/stores/capability-store';

const TEXT = 'capabilities:\n  read: []\nidentities:\n  github:7: carol@example.com\n  oidc:7: carol@example.com\n  https://idp-a.example.com#7: dave@example.com\n';

/** A store in memory; with `linking` false it lacks `linkIdentity`, as a custom store may. */
function memoryStore(linking: boolean): CapabilityStore & { links: [string, string][] } {
  let policy: CapabilityPolicy = parseCapsFile(TEXT, 'caps.yaml');
  const links: [string, string][] = [];
  const store = {
    links,
    current: () => policy,
    update: () => Promise.reject(new Error('not used')),
    subscribe: () => () => undefined,
    close: async () => undefined,
  };
  if (!linking) return store;
  return {
    ...store,
    async linkIdentity(identity: string, email: string) {
      policy = policy.withIdentityLink(identity, email);
      links.push([identity, email]);
      return policy;
    },
  };
}

// GitHub's own endpoints: its links of the older `github:<id>` form are still read.
const GITHUB = { issuer: 'https://github.com', legacyName: 'github' };
const ATTEMPT = { provider: 'github', state: 's', redirect: '/' };
const identity = (subject: string, email: unknown, emailVerified = true): ProviderIdentity => ({ subject, email, emailVerified });

describe('ProviderAccounts', () => {
  it('signs a linked identity in to the linked account, whatever email the provider sends', async () => {
    const accounts = new ProviderAccounts(memoryStore(true));
    assert.equal(await accounts.accountFor(GITHUB, identity('7', 'other@example.org'), ATTEMPT), 'carol@example.com');
  });

  it('signs any other identity in by its verified email, canonical', async () => {
    const accounts = new ProviderAccounts(memoryStore(true));
    assert.equal(await accounts.accountFor(GITHUB, identity('8', ' Dave@Example.COM. '), ATTEMPT), 'dave@example.com');
    await assert.rejects(accounts.accountFor(GITHUB, identity('8', 'dave@example.com', false), ATTEMPT), { code: 'LOGIN_REFUSED' });
  });

  it('links the identity to the account named by a linking attempt, once', async () => {
    const store = memoryStore(true);
    const accounts = new ProviderAccounts(store);
    const linking = { ...ATTEMPT, linkTo: 'bob@example.com' };
    assert.equal(await accounts.accountFor(GITHUB, identity('9', 'bob-gh@example.org'), linking), 'bob@example.com');
    assert.deepEqual(store.links, [['https://github.com#9', 'bob@example.com']]);
    assert.equal(await accounts.accountFor(GITHUB, identity('9', 'bob-gh@example.org'), ATTEMPT), 'bob@example.com');
  });

  it('refuses to link an identity that belongs to another account', async () => {
    const store = memoryStore(true);
    const accounts = new ProviderAccounts(store);
    await assert.rejects(accounts.accountFor(GITHUB, identity('7', 'x@example.com'), { ...ATTEMPT, linkTo: 'bob@example.com' }), (error: unknown) => {
      assert.ok(error instanceof LoginError);
      assert.equal(error.code, 'LOGIN_IDENTITY_LINKED');
      return true;
    });
    assert.deepEqual(store.links, []);
  });

  it('says linking is unavailable with a store that cannot keep links, and refuses a linking attempt', async () => {
    const accounts = new ProviderAccounts(memoryStore(false));
    assert.equal(accounts.linking, false);
    assert.equal(new ProviderAccounts(memoryStore(true)).linking, true);
    await assert.rejects(accounts.accountFor(GITHUB, identity('9', 'b@example.com'), { ...ATTEMPT, linkTo: 'bob@example.com' }), {
      code: 'LOGIN_REFUSED',
      message: 'account linking is not available with this capability store',
    });
  });

  it('keys a link by the issuer, so a route name pointed at another identity provider reaches none of the old links', async () => {
    const accounts = new ProviderAccounts(memoryStore(true));
    const idpA = { issuer: 'https://idp-a.example.com' };
    const idpB = { issuer: 'https://idp-b.example.com' };
    assert.equal(await accounts.accountFor(idpA, identity('7', 'mallory@example.com'), ATTEMPT), 'dave@example.com');
    // Subject 7 at another issuer is somebody else: neither the issuer's link nor the older `oidc:7` form applies.
    assert.equal(await accounts.accountFor(idpB, identity('7', 'mallory@example.com'), ATTEMPT), 'mallory@example.com');
  });

  it('refuses to link an identity whose older-form link belongs to another account', async () => {
    const store = memoryStore(true);
    const accounts = new ProviderAccounts(store);
    await assert.rejects(accounts.accountFor(GITHUB, identity('7', 'x@example.com'), { ...ATTEMPT, linkTo: 'bob@example.com' }), { code: 'LOGIN_IDENTITY_LINKED' });
    assert.deepEqual(store.links, []);
  });
});
