import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ADAPTERS } from '../support/example-server';
import { HttpClient } from '../support/http-client';
import { reserveAppUrl, startIdentityServer, startOidcExample, visitIdentityServer, type IdentityServer, type OidcExample } from '../providers/oidc-identity-server';

// The test identity server uses the email as the subject.
const caps = (issuer: string): string => `capabilities:
  read: []
  bake: [read]
  arrest: [read]
  racket: [read]
users:
  baker@example.com: [bake]
identities:
  # linked when the route name "oidc" pointed at another identity provider
  "oidc:mallory@example.com": baker@example.com
  # linked through this identity provider
  "${issuer}#carol@example.com": baker@example.com
`;

for (const adapter of ADAPTERS) {
  describe(`identity links keyed by the OpenID Connect issuer (${adapter})`, () => {
    let idp: IdentityServer;
    let app: OidcExample;

    before(async () => {
      const at = await reserveAppUrl();
      idp = await startIdentityServer([`${at.baseUrl}/auth/oidc/callback`]);
      app = await startOidcExample(idp, at, { adapter, caps: caps(idp.issuer) });
    });
    after(async () => {
      await app?.close();
      await idp?.close();
    });

    async function signIn(email: string): Promise<unknown> {
      const client = new HttpClient(app.baseUrl);
      const { callbackUrl } = await visitIdentityServer(client, '/login/oidc', { email });
      assert.equal((await client.get(callbackUrl.href)).status, 302);
      return (await client.get('/whoami')).json.user;
    }

    it('does not let a subject of another identity provider, linked under the same route name, reach the linked account', async () => {
      assert.equal(await signIn('mallory@example.com'), 'mallory@example.com');
    });

    it('signs an identity linked through this issuer in to the linked account', async () => {
      assert.equal(await signIn('carol@example.com'), 'baker@example.com');
    });
  });
}
