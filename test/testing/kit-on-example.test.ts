import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTestAuth, type TestAuth } from '../../src/testing';
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
        await (await auth.as(email)).get(path).expect(status);
      });
    }

    it('answers 401 to a guest on a guarded route', async () => {
      const reply = await auth.asGuest().get('/bake').expect(401);
      assert.match(reply.body.message, /bake/);
    });

    it('gives a service agent only what the account holds now', async () => {
      const bot = await auth.asService('bot@service');
      await bot.get('/bake').expect(200);
      await bot.get('/arrest').expect(403);
      const whoami = await bot.get('/whoami').expect(200);
      assert.equal(whoami.body.user, 'bot@service');
    });

    it('mints no token for a service account that does not exist, as GET /token?user= and the command line', async () => {
      await assert.rejects(auth.asService('ghost@service'), { code: 'UNKNOWN_ACCOUNT' });
      assert.throws(() => auth.tokenFor('ghost@service'), { code: 'UNKNOWN_ACCOUNT' });
    });

    it('mints tokens the app revokes like any other', async () => {
      const token = auth.tokenFor('baker@example.com');
      const baker = await auth.as('baker@example.com');
      await baker.post('/token/revoke').send({ token }).expect(200);
      await auth.asGuest().get('/bake').set('Authorization', `Bearer ${token}`).expect(401);
    });
  });
}
