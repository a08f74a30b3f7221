import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { bakeryCaps } from '../fixtures/caps-texts';
import { expectDenial } from '../support/denial';
import { ADAPTERS, startExample, type RunningExample } from '../support/example-server';
import type { HttpClient } from '../support/http-client';

const CAPS = bakeryCaps({
  users: [
    'root@example.com: [admin]',
    'lead@example.com: [user_management, bake]',
    'baker@example.com: [bake]',
    'cop@example.com: [arrest]',
    'bot@service: [bake]',
    'boss@service: [arrest]',
  ],
});

for (const adapter of ADAPTERS) {
  describe(`who may end whose tokens, and how many on ${adapter}`, () => {
    let example: RunningExample;
    let root: HttpClient;
    let lead: HttpClient;
    let baker: HttpClient;

    before(async () => {
      example = await startExample({ adapter, caps: CAPS });
      root = await example.signedIn('root@example.com');
      lead = await example.signedIn('lead@example.com');
      baker = await example.signedIn('baker@example.com');
    });
    after(() => example.close());

    const works = async (token: string): Promise<number> => (await example.client().withToken(token).get('/menu')).status;
    const refusedAsRevoked = async (token: string): Promise<void> => expectDenial(await example.client().withToken(token).get('/menu'), 401, 'TOKEN_REVOKED');

    it('refuses a manager revoke_all on an account holding capabilities they lack (403 GRANT_FORBIDDEN)', async () => {
      const rootToken = await root.token();
      for (const email of ['root@example.com', 'cop@example.com', 'boss@service']) {
        const reply = await lead.post('/token/revoke_all', { email });
        assert.equal(reply.status, 403, `${email}: ${reply.text}`);
        assert.equal(reply.json.code, 'GRANT_FORBIDDEN');
        assert.match(reply.json.message as string, new RegExp(`you may not end the tokens of ${email.replace('.', '\\.')}`));
      }
      assert.equal(await works(rootToken), 200, 'root was not signed out');
    });

    it('lets a manager revoke_all on an account whose capabilities they hold, and anybody on their own', async () => {
      const bakerToken = await baker.token();
      assert.equal((await lead.post('/token/revoke_all', { email: 'baker@example.com' })).status, 200);
      await refusedAsRevoked(bakerToken);
      assert.equal((await lead.post('/token/revoke_all', { email: 'bot@service' })).status, 200);
      const cop = await example.signedIn('cop@example.com');
      assert.equal((await cop.post('/token/revoke_all', { email: 'cop@example.com' })).status, 200);
    });

    it('refuses a manager the revocation of one token of an account holding more (403 GRANT_FORBIDDEN)', async () => {
      const rootToken = await root.token();
      const reply = await lead.post('/token/revoke', { token: rootToken });
      assert.equal(reply.status, 403, reply.text);
      assert.equal(reply.json.code, 'GRANT_FORBIDDEN');
      assert.equal(await works(rootToken), 200);
    });

    it('keeps at most 100 live revoked tokens per account: past that, 429 REVOCATION_LIMIT and revoke_all', async () => {
      const user = await example.signedIn('limit@example.com');
      const tokens: string[] = [];
      for (let i = 0; i < 101; i++) tokens.push(await user.token());
      for (const token of tokens.slice(0, 100)) assert.equal((await user.post('/token/revoke', { token })).status, 200);
      const last = tokens[100]!;
      const refused = await user.post('/token/revoke', { token: last });
      assert.equal(refused.status, 429, refused.text);
      assert.equal(refused.json.code, 'REVOCATION_LIMIT');
      assert.match(refused.json.message as string, /revoke_all/);
      assert.equal(await works(last), 200, 'not revoked');
      assert.equal((await user.post('/token/revoke', { token: tokens[0] })).status, 200, 'revoking a revoked token again still answers 200');
      assert.equal((await user.post('/token/revoke_all', { email: 'limit@example.com' })).status, 200);
      await refusedAsRevoked(last);
    });
  });
}
