import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { bakeryCaps } from '../fixtures/caps-texts';
import { expectDenial, htmlCodeOf } from '../support/denial';
import { ADAPTERS, startExample, type RunningExample } from '../support/example-server';
import type { HttpClient } from '../support/http-client';

const CAPS = bakeryCaps({ users: ['root@example.com: [admin]', 'ops@service: [user_management, bake]', 'bot@service: [bake]'] });
const NINETY_DAYS = 90 * 86400;
const TEN_YEARS = 10 * 365 * 86400;

/** The `exp` claim of a JWT, read without verifying it: what every instance will enforce. */
function expClaim(token: string): unknown {
  return (JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')) as { exp?: unknown }).exp;
}

for (const adapter of ADAPTERS) {
  describe(`a leaked credential cannot renew itself on ${adapter}`, () => {
    let example: RunningExample;
    let root: HttpClient;
    /** Bearer credentials of managers: a user token, a service token, an API key expiring in a minute; with when each expires. */
    let bearers: { what: string; client: HttpClient; expiresAt: number }[];

    before(async () => {
      example = await startExample({ adapter, caps: CAPS });
      root = await example.signedIn('root@example.com');
      const user = await root.get('/token');
      const service = await root.get('/token?user=ops@service');
      const key = await root.post('/manage_capabilities/keys', { name: 'short', capabilities: ['user_management', 'bake'], expires_in: 60 });
      assert.equal(key.status, 200, key.text);
      bearers = [
        { what: 'a user token', client: example.client().withToken(user.json.token as string), expiresAt: user.json.expires_at as number },
        { what: 'a service token', client: example.client().withToken(service.json.service_token as string), expiresAt: service.json.expires_at as number },
        { what: 'an API key', client: example.client().withToken(key.json.key as string), expiresAt: key.json.expires_at as number },
      ];
    });
    after(() => example.close());

    it('creates no API key with a bearer credential: 403 SESSION_REQUIRED, and nothing is stored', async () => {
      for (const { what, client } of bearers) {
        const reply = await client.post('/manage_capabilities/keys', { name: 'renewed', capabilities: ['bake'], expires_in: TEN_YEARS });
        expectDenial(reply, 403, 'SESSION_REQUIRED', what);
        assert.match(reply.json.message as string, /session or the command line/, what);
      }
      const listed = (await root.get('/manage_capabilities/keys')).json.keys as { name: string }[];
      assert.deepEqual(listed.map((key) => key.name), ['short']);
    });

    it("creates no API key through the admin page's form with a bearer credential either", async () => {
      for (const { what, client } of bearers) {
        const reply = await client.postForm(
          '/manage_capabilities',
          { op: 'key_create', name: 'renewed', capabilities: 'bake', expires_in: String(TEN_YEARS), note: '' },
          { origin: example.baseUrl, accept: 'text/html' },
        );
        assert.equal(reply.status, 403, `${what}: ${reply.text}`);
        assert.equal(htmlCodeOf(reply.text), 'SESSION_REQUIRED', what);
      }
      const listed = (await root.get('/manage_capabilities/keys')).json.keys as { name: string }[];
      assert.deepEqual(listed.map((key) => key.name), ['short']);
    });

    it('mints a service token that expires no later than the bearer credential minting it', async () => {
      for (const { what, client, expiresAt } of bearers) {
        const reply = await client.get('/token?user=bot@service');
        assert.equal(reply.status, 200, `${what}: ${reply.text}`);
        assert.ok((reply.json.expires_at as number) <= expiresAt, `${what}: the service token expires at ${String(reply.json.expires_at)}, after ${expiresAt}`);
        assert.equal(expClaim(reply.json.service_token as string), reply.json.expires_at, `${what}: the token itself carries that expiry`);
      }
    });

    it('keeps the service token lifetime for a token minted from a session', async () => {
      const now = Math.floor(Date.now() / 1000);
      const reply = await root.get('/token?user=bot@service');
      assert.equal(reply.status, 200, reply.text);
      const expiresAt = reply.json.expires_at as number;
      assert.ok(expiresAt >= now + NINETY_DAYS && expiresAt <= now + NINETY_DAYS + 5, `90 days, got ${expiresAt - now} s`);
    });
  });
}
