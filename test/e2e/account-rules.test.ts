import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { TokenKeyring } from '../../src/tokens/token-keyring';
import { bakeryCaps } from '../fixtures/caps-texts';
import { partsOf, signHmac } from '../tokens/token-forge';
import { ADAPTERS, EXAMPLE_SECRET, startExample, type RunningExample } from '../support/example-server';
import type { HttpClient } from '../support/http-client';

const keyring = TokenKeyring.fromSecrets(EXAMPLE_SECRET);

const CAPS = bakeryCaps({
  users: ['root@example.com: [admin]', 'lead@example.com: [user_management, bake]', 'bot@service: [admin]'],
  pinned: ['ci@service: [admin]'],
});

/** The same token without its `exp`, signed again with the app's own key. */
function withoutExp(token: string): string {
  const { header, claims } = partsOf(token);
  assert.equal(header['kid'], keyring.signingKid);
  return signHmac(header, { ...claims, exp: undefined }, keyring.signingKey);
}

for (const adapter of ADAPTERS) {
  describe(`account rules on ${adapter}`, () => {
    let example: RunningExample;
    let root: HttpClient;

    before(async () => {
      example = await startExample({ adapter, caps: CAPS });
      root = await example.signedIn('root@example.com');
    });
    after(() => example.close());

    it('refuses to demote the last person holding admin, though service accounts hold admin', async () => {
      const reply = await root.post('/manage_capabilities/remove', { email: 'root@example.com', capability: 'admin' });
      assert.equal(reply.status, 409, reply.text);
      assert.equal(reply.json.code, 'LAST_ADMIN');
      assert.equal(reply.json.message, 'refused: root@example.com is the last person holding admin');
      assert.deepEqual((await root.get('/manage_capabilities/list')).json.capabilities, ['admin']);
    });

    it('lets a service account lose admin while a person holds it', async () => {
      const reply = await root.post('/manage_capabilities/set', { email: 'bot@service', capabilities: ['bake'] });
      assert.equal(reply.status, 200, reply.text);
      assert.deepEqual(reply.json.capabilities, ['bake']);
    });

    for (const [what, email] of [
      ['full-width letters', 'ａｄｍｉｎ@example.com'],
      ['mathematical letters', '\u{1d41a}\u{1d41d}\u{1d426}\u{1d422}\u{1d427}@example.com'],
      ['circled letters', 'ⓡⓞⓞⓣ@example.com'],
      ['a full-width @', 'root＠example.com'],
    ] as const) {
      it(`signs nobody in with an address in ${what}`, async () => {
        const client = example.client();
        const reply = await client.signIn(email);
        assert.equal(reply.status, 403, reply.text);
        assert.equal(reply.json.code ?? /LOGIN_REFUSED/.exec(reply.text)?.[0], 'LOGIN_REFUSED');
        assert.match(reply.text, /plain characters/);
        assert.equal(client.cookies.get('caps_session'), undefined);
        assert.equal((await client.get('/whoami')).json.user, null);
      });

      it(`answers 400 INVALID_EMAIL to a grant for an address in ${what}`, async () => {
        const reply = await root.post('/manage_capabilities/add', { email, capability: 'read' });
        assert.equal(reply.status, 400, reply.text);
        assert.equal(reply.json.code, 'INVALID_EMAIL');
        assert.match(reply.json.message as string, /plain characters/);
      });
    }

    it('refuses a user token without exp, signed with the real key, with 401 TOKEN_INVALID', async () => {
      const token = await root.token();
      assert.equal((await example.client().withToken(token).get('/bake')).status, 200);
      const reply = await example.client().withToken(withoutExp(token)).get('/bake');
      assert.equal(reply.status, 401, reply.text);
      assert.equal(reply.json.code, 'TOKEN_INVALID');
      assert.match(reply.json.message as string, /no exp claim/);
    });

    it('refuses a service token without exp when service tokens may not be everlasting', async () => {
      const minted = await root.get('/token?user=bot@service');
      assert.equal(minted.status, 200, minted.text);
      const token = minted.json.service_token as string;
      assert.equal((await example.client().withToken(token).get('/bake')).status, 200);
      const reply = await example.client().withToken(withoutExp(token)).get('/bake');
      assert.equal(reply.status, 401, reply.text);
      assert.equal(reply.json.code, 'TOKEN_INVALID');
    });
  });
}
