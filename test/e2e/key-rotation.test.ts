import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { expectDenial } from '../support/denial';
import { ADAPTERS, startExample } from '../support/example-server';

const OLD_SECRET = 'old-rotation-secret-0123456789abcdefghijklmnop';
const NEW_SECRET = 'new-rotation-secret-0123456789abcdefghijklmnop';

for (const adapter of ADAPTERS) {
  describe(`key rotation on ${adapter}`, () => {
    it('accepts tokens of a retired key while it is listed in AUTH_PREVIOUS_SECRETS, refuses them once removed', async () => {
      const before = await startExample({ adapter, env: { AUTH_SECRET: OLD_SECRET } });
      let oldToken: string;
      try {
        oldToken = await (await before.signedIn('baker@example.com')).token();
      } finally {
        await before.close();
      }
      const env = { BASE_URL: before.baseUrl, AUTH_SECRET: NEW_SECRET };
      const rotating = await startExample({ adapter, env: { ...env, AUTH_PREVIOUS_SECRETS: OLD_SECRET } });
      let newToken: string;
      try {
        assert.equal((await rotating.client().withToken(oldToken).get('/bake')).status, 200, 'the old key is still listed');
        newToken = await (await rotating.signedIn('baker@example.com')).token();
        assert.equal((await rotating.client().withToken(newToken).get('/bake')).status, 200);
      } finally {
        await rotating.close();
      }
      const rotated = await startExample({ adapter, env });
      try {
        const refused = await rotated.client().withToken(oldToken).get('/bake');
        expectDenial(refused, 401, 'TOKEN_INVALID');
        assert.match(refused.json.message as string, /key that is not \(or no longer\) accepted/);
        assert.equal((await rotated.client().withToken(newToken).get('/bake')).status, 200);
      } finally {
        await rotated.close();
      }
    });
  });
}
