import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import type * as OpenIdClient from 'openid-client';
import { CLIENTS_CAPS } from '../fixtures/clients-caps';
import { expectDenial } from '../support/denial';
import { ADAPTERS, startExample, type RunningExample } from '../support/example-server';
import type { HttpClient } from '../support/http-client';

type Client = typeof OpenIdClient;

const basic = (clientId: string, secret: string): string => `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}`;

for (const adapter of ADAPTERS) {
  for (const algorithm of ['HS256', 'EdDSA'] as const) {
    describe(`OAuth clients at the discovered endpoints, ${algorithm}, on ${adapter}`, () => {
      let example: RunningExample;
      let root: HttpClient;
      let oidc: Client;

      before(async () => {
        oidc = await import('openid-client');
        example = await startExample({ adapter, caps: CLIENTS_CAPS, env: { AUTH_TOKEN_ALG: algorithm } });
        root = await example.signedIn('root@example.com');
      });
      after(() => example.close());

      const create = async (account = 'bot@service'): Promise<{ clientId: string; secret: string }> => {
        const reply = await root.post('/manage_capabilities/clients', { account });
        assert.equal(reply.status, 200, reply.text);
        return { clientId: reply.json.client_id as string, secret: reply.json.client_secret as string };
      };

      /** openid-client configured by discovery from the app's RFC 8414 metadata. */
      const discovered = (client: { clientId: string; secret: string }): Promise<OpenIdClient.Configuration> =>
        // The example listens on plain HTTP on loopback: openid-client is told so, loudly.
        // eslint-disable-next-line @typescript-eslint/no-deprecated
        oidc.discovery(new URL(example.baseUrl), client.clientId, undefined, oidc.ClientSecretBasic(client.secret), { execute: [oidc.allowInsecureRequests], algorithm: 'oauth2' });

      it('grants, introspects and revokes through openid-client configured by discovery', async () => {
        const client = await create();
        const config = await discovered(client);
        const granted = await oidc.clientCredentialsGrant(config, { scope: 'bake' });
        assert.equal(granted.scope, 'bake');
        const introspected = await oidc.tokenIntrospection(config, granted.access_token);
        assert.equal(introspected.active, true);
        assert.equal(introspected.sub, 'bot@service');
        assert.equal(introspected.client_id, client.clientId);
        assert.equal(introspected.scope, 'bake read');
        const asBot = example.client().withToken(granted.access_token);
        assert.equal((await asBot.get('/bake?food=rye')).status, 200);
        await oidc.tokenRevocation(config, granted.access_token);
        expectDenial(await asBot.get('/bake?food=rye'), 401, 'TOKEN_REVOKED');
        assert.equal((await oidc.tokenIntrospection(config, granted.access_token)).active, false);
      });

      it('lets a client revoke only its own tokens, and refuses a wrong secret at introspection and revocation', async () => {
        const client = await create();
        const other = await create();
        const userToken = (await root.get('/token')).json.token as string;
        const othersToken = (await example.client().postForm('/token', { grant_type: 'client_credentials', client_id: other.clientId, client_secret: other.secret })).json.access_token as string;
        for (const token of [userToken, othersToken]) {
          const reply = await example.client().postForm('/token/revoke', { token }, { authorization: basic(client.clientId, client.secret) });
          assert.equal(reply.status, 200, reply.text);
          assert.equal((await example.client().withToken(token).get('/whoami')).status, 200, 'a token not issued to the client stays live');
        }
        const byPost = await example.client().postForm('/token/revoke', { token: othersToken, client_id: other.clientId, client_secret: other.secret });
        assert.equal(byPost.status, 200);
        expectDenial(await example.client().withToken(othersToken).get('/whoami'), 401, 'TOKEN_REVOKED');
        const wrong = basic(client.clientId, `${client.secret}x`);
        expectDenial(await example.client().postForm('/token/introspect', { token: userToken }, { authorization: wrong }), 401, 'OAUTH_INVALID_CLIENT');
        expectDenial(await example.client().postForm('/token/revoke', { token: userToken }, { authorization: wrong }), 401, 'OAUTH_INVALID_CLIENT');
        const introspected = await example.client().postForm('/token/introspect', { token: userToken, client_id: client.clientId, client_secret: client.secret });
        assert.deepEqual([introspected.json.active, introspected.json.sub, introspected.json.client_id], [true, 'root@example.com', undefined]);
      });

      it('issues client tokens another service verifies as RFC 9068 access tokens', async () => {
        const client = await create();
        const granted = await example.client().postForm('/token', { grant_type: 'client_credentials', client_id: client.clientId, client_secret: client.secret });
        const token = granted.json.access_token as string;
        if (algorithm === 'HS256') {
          assert.deepEqual((await example.client().get('/.well-known/jwks.json')).json.keys, [], 'under HS256 the key set is empty');
          return;
        }
        const jwks = createRemoteJWKSet(new URL('/.well-known/jwks.json', example.baseUrl));
        const { payload, protectedHeader } = await jwtVerify(token, jwks, { issuer: example.baseUrl, audience: example.baseUrl, typ: 'at+jwt' });
        assert.equal(protectedHeader.alg, 'EdDSA');
        assert.deepEqual([payload.sub, payload['client_id'], payload['scope']], ['bot@service', client.clientId, 'bake read']);
        assert.equal((await example.client().withToken(token).get('/bake?food=rye')).status, 200);
      });
    });
  }
}
