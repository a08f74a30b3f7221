import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTestAuth, type TestAuth } from '../../src/testing';
import { expectDenial } from '../support/denial';
import { ADAPTERS, startExample, type RunningExample } from '../support/example-server';

for (const adapter of ADAPTERS) {
  describe(`the bakery through the testing kit on ${adapter}`, () => {
    let example: RunningExample;
    let auth: TestAuth;

    before(async () => {
      example = await startExample({ adapter });
      auth = createTestAuth(example.app);
    });
    after(() => example.close());

    const matrix: [string, string, number][] = [
      ['baker@example.com', '/bake', 200],
      ['baker@example.com', '/arrest', 403],
      ['police@example.com', '/arrest', 200],
      ['mafia@example.com', '/bake', 200],
      ['mafia@example.com', '/racket', 200],
      ['nobody@example.com', '/menu', 200],
      ['nobody@example.com', '/bake', 403],
    ];
    for (const [email, path, status] of matrix) {
      it(`answers ${status} to ${email} on ${path}`, async () => {
        const reply = await (await auth.as(email)).get(path);
        if (status === 200) assert.equal(reply.status, 200, reply.text);
        else expectDenial(reply, status, 'CAPABILITY_MISSING');
      });
    }

    it('answers 401 to a guest on a guarded route', async () => {
      const reply = await auth.asGuest().get('/bake');
      expectDenial(reply, 401, 'SIGN_IN_REQUIRED');
      assert.match((reply.body as { message: string }).message, /bake/);
    });

    it('gives a service agent only what the account holds now', async () => {
      const bot = await auth.asService('bot@service');
      await bot.get('/bake').expect(200);
      expectDenial(await bot.get('/arrest'), 403, 'CAPABILITY_MISSING');
      const whoami = await bot.get('/whoami').expect(200);
      assert.equal((whoami.body as { user: unknown }).user, 'bot@service');
    });

    it('mints no token for a service account that does not exist, as GET /token?user= and the command line', async () => {
      await assert.rejects(auth.asService('ghost@service'), { code: 'UNKNOWN_ACCOUNT' });
      assert.throws(() => auth.tokenFor('ghost@service'), { code: 'UNKNOWN_ACCOUNT' });
    });

    it('mints tokens the app revokes like any other', async () => {
      const token = auth.tokenFor('baker@example.com');
      const baker = await auth.as('baker@example.com');
      await baker.post('/token/revoke').send({ token }).expect(200);
      expectDenial(await auth.asGuest().get('/bake').set('Authorization', `Bearer ${token}`), 401, 'TOKEN_REVOKED');
    });
  });
}
