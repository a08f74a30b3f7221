import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type * as OpenIdClient from 'openid-client';
import { CLIENTS_CAPS } from '../fixtures/clients-caps';
import { expectDenial } from '../support/denial';
import { ADAPTERS, startExample, type RunningExample } from '../support/example-server';
import type { HttpClient, Reply } from '../support/http-client';

type Client = typeof OpenIdClient;

interface CreatedClient {
  readonly clientId: string;
  readonly secret: string;
}

/** The JOSE header and the claims of a JWT, read without checking its signature. */
function partsOf(token: string): { header: Record<string, unknown>; claims: Record<string, unknown> } {
  const [header, claims] = token.split('.').slice(0, 2).map((part) => JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>);
  return { header: header!, claims: claims! };
}

for (const adapter of ADAPTERS) {
  describe(`OAuth 2.0 client credentials on ${adapter}`, () => {
    let example: RunningExample;
    let root: HttpClient;
    let lead: HttpClient;
    let oidc: Client;

    before(async () => {
      oidc = await import('openid-client');
      example = await startExample({ adapter, caps: CLIENTS_CAPS });
      root = await example.signedIn('root@example.com');
      lead = await example.signedIn('lead@example.com');
    });
    after(() => example.close());

    const create = async (account: string, by: HttpClient = root, extra: Record<string, unknown> = {}): Promise<CreatedClient> => {
      const reply = await by.post('/manage_capabilities/clients', { account, ...extra });
      assert.equal(reply.status, 200, reply.text);
      return { clientId: reply.json.client_id as string, secret: reply.json.client_secret as string };
    };

    /** openid-client configured by hand: the server's metadata, the client, and how it authenticates. */
    const configurationOf = (client: CreatedClient, post = false): OpenIdClient.Configuration => {
      const metadata: OpenIdClient.ServerMetadata = { issuer: example.baseUrl, token_endpoint: `${example.baseUrl}/token` };
      const auth = post ? oidc.ClientSecretPost(client.secret) : oidc.ClientSecretBasic(client.secret);
      const configuration = new oidc.Configuration(metadata, client.clientId, undefined, auth);
      // The example listens on plain HTTP on loopback: openid-client is told so, loudly.
      // eslint-disable-next-line @typescript-eslint/no-deprecated
      oidc.allowInsecureRequests(configuration);
      return configuration;
    };

    const token = (client: CreatedClient, fields: Record<string, string> = {}, headers: Record<string, string> = {}): Promise<Reply> =>
      example.client().postForm('/token', { grant_type: 'client_credentials', client_id: client.clientId, client_secret: client.secret, ...fields }, headers);

    const basic = (clientId: string, secret: string): string => `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(secret)}`).toString('base64')}`;

    it('creates a client shown once, lists it without a secret, and stores only the secret\'s hash', async () => {
      const reply = await root.post('/manage_capabilities/clients', { account: 'Bot@service', name: 'nightly bread' });
      assert.equal(reply.status, 200, reply.text);
      assert.deepEqual(Object.keys(reply.json).sort(), ['account', 'client_id', 'client_secret', 'name', 'status']);
      assert.equal(reply.json.account, 'bot@service');
      const secret = reply.json.client_secret as string;
      assert.match(secret, /^ncs_[A-Za-z0-9_-]{43}$/);
      const stored = readFileSync(`${example.capsFile}.clients.json`, 'utf8');
      assert.ok(!stored.includes(secret.slice(4)), 'the secret itself is never stored');
      const listed = await root.get('/manage_capabilities/clients');
      assert.equal(listed.status, 200);
      assert.ok(!listed.text.includes(secret.slice(4)) && !listed.text.includes('hash'));
      const entry = (listed.json.clients as Record<string, unknown>[]).find((found) => found.client_id === reply.json.client_id);
      assert.deepEqual(entry && { ...entry, created_at: 0 }, { client_id: reply.json.client_id, account: 'bot@service', name: 'nightly bread', created_by: 'root@example.com', created_at: 0, scope: null });
    });

    it('grants a token through openid-client without scope: everything the account holds, as an RFC 9068 JWT', async () => {
      const client = await create('bot@service');
      const before = Math.floor(Date.now() / 1000);
      const answer = await oidc.clientCredentialsGrant(configurationOf(client));
      assert.equal(answer.token_type, 'bearer');
      assert.equal(answer.scope, 'bake read');
      assert.equal(answer.expires_in, 3600);
      const { header, claims } = partsOf(answer.access_token);
      assert.equal(header.typ, 'at+jwt');
      assert.equal(claims.iss, example.baseUrl);
      assert.equal(claims.aud, example.baseUrl);
      assert.equal(claims.sub, 'bot@service');
      assert.equal(claims.client_id, client.clientId);
      assert.equal(claims.scope, 'bake read');
      assert.equal(typeof claims.jti, 'string');
      assert.ok((claims.iat as number) >= before && (claims.exp as number) - (claims.iat as number) === 3600);
      const asBot = example.client().withToken(answer.access_token);
      assert.deepEqual((await asBot.get('/bake?food=rye')).json, { baked: 'rye', by: 'bot@service' });
      expectDenial(await asBot.get('/arrest'), 403, 'CAPABILITY_MISSING');
    });

    it('grants a token limited to the scope asked for, by client_secret_post too', async () => {
      const client = await create('bot@service');
      const answer = await oidc.clientCredentialsGrant(configurationOf(client, true), { scope: 'read' });
      assert.equal(answer.scope, 'read');
      const asBot = example.client().withToken(answer.access_token);
      assert.equal((await asBot.get('/whoami')).json.user, 'bot@service');
      assert.deepEqual((await asBot.get('/whoami')).json.capabilities, ['read']);
      expectDenial(await asBot.get('/bake?food=rye'), 403, 'CAPABILITY_MISSING');
    });

    it('answers exactly as RFC 6749 §5.1, kept out of caches', async () => {
      const client = await create('bot@service');
      const reply = await token(client, { scope: 'bake' });
      assert.equal(reply.status, 200, reply.text);
      assert.deepEqual(Object.keys(reply.json).sort(), ['access_token', 'expires_in', 'scope', 'token_type']);
      assert.equal(reply.json.token_type, 'Bearer');
      assert.equal(reply.headers.get('cache-control'), 'no-store');
      assert.equal(reply.headers.get('pragma'), 'no-cache');
      const byBasic = await example.client().postForm('/token', { grant_type: 'client_credentials' }, { authorization: basic(client.clientId, client.secret) });
      assert.equal(byBasic.status, 200, byBasic.text);
    });

    it('refuses every bad request as RFC 6749 §5.2 says', async () => {
      const client = await create('bot@service');
      const wrong = { ...client, secret: `${client.secret.slice(0, -2)}xx` };
      const expectOAuthError = (reply: Reply, status: number, error: string): void => {
        assert.equal(reply.status, status, reply.text);
        assert.equal(reply.json.error, error);
        assert.equal(typeof reply.json.error_description, 'string');
        assert.equal(reply.headers.get('cache-control'), 'no-store');
        assert.equal(reply.headers.get('pragma'), 'no-cache');
        if (error === 'invalid_client') assert.match(reply.headers.get('www-authenticate') ?? '', /^Basic/);
      };
      expectOAuthError(await token(wrong), 401, 'invalid_client');
      expectOAuthError(await token({ clientId: 'ncc_nobody', secret: client.secret }), 401, 'invalid_client');
      expectOAuthError(await example.client().postForm('/token', { grant_type: 'client_credentials' }), 401, 'invalid_client');
      expectOAuthError(await example.client().postForm('/token', { grant_type: 'client_credentials' }, { authorization: basic(client.clientId, wrong.secret) }), 401, 'invalid_client');
      expectOAuthError(await example.client().postForm('/token', { grant_type: 'client_credentials' }, { authorization: 'Bearer abc' }), 401, 'invalid_client');
      expectOAuthError(await token(client, { grant_type: 'password' }), 400, 'unsupported_grant_type');
      expectOAuthError(await example.client().postForm('/token', { client_id: client.clientId, client_secret: client.secret }), 400, 'invalid_request');
      expectOAuthError(await token(client, { scope: 'arrest' }), 400, 'invalid_scope');
      expectOAuthError(await token(client, { scope: 'fly' }), 400, 'invalid_scope');
      expectOAuthError(await token(client, { scope: 'bake  read' }), 400, 'invalid_scope');
      expectOAuthError(await token(client, {}, { authorization: basic(client.clientId, client.secret) }), 400, 'invalid_request');
      const repeated = `grant_type=client_credentials&grant_type=client_credentials&client_id=${client.clientId}&client_secret=${client.secret}`;
      expectOAuthError(await example.client().request('POST', '/token', { headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: repeated }), 400, 'invalid_request');
      expectOAuthError(await example.client().post('/token', { grant_type: 'client_credentials', client_id: client.clientId, client_secret: client.secret }), 400, 'invalid_request');
      // openid-client reads the Basic challenge of the 401 and says so.
      await assert.rejects(oidc.clientCredentialsGrant(configurationOf(wrong)), (error: unknown) => (error as { cause?: { scheme?: string }[] }).cause?.[0]?.scheme === 'basic');
    });

    it('issues tokens that expire after CLIENT_TOKEN_TTL_SECONDS', async () => {
      const short = await startExample({ adapter, caps: CLIENTS_CAPS, env: { CLIENT_TOKEN_TTL_SECONDS: '120' } });
      try {
        const created = await (await short.signedIn('root@example.com')).post('/manage_capabilities/clients', { account: 'bot@service' });
        const reply = await short.client().postForm('/token', { grant_type: 'client_credentials', client_id: created.json.client_id as string, client_secret: created.json.client_secret as string });
        assert.equal(reply.json.expires_in, 120, reply.text);
        const { claims } = partsOf(reply.json.access_token as string);
        assert.equal((claims.exp as number) - (claims.iat as number), 120);
      } finally {
        await short.close();
      }
    });

    it('keeps GET /token as it was', async () => {
      const reply = await root.get('/token');
      assert.equal(reply.status, 200);
      assert.deepEqual(Object.keys(reply.json).sort(), ['expires_at', 'token', 'token_type']);
    });

    it('refuses a revoked client and every token issued to it, at the next request', async () => {
      const client = await create('bot@service');
      const answer = await oidc.clientCredentialsGrant(configurationOf(client));
      const asBot = example.client().withToken(answer.access_token);
      assert.equal((await asBot.get('/bake?food=rye')).status, 200);
      const menu = (): Promise<Reply> => asBot.post('/graphql', { query: '{ menu }' });
      assert.ok(Array.isArray((((await menu()).json.data ?? {}) as { menu?: unknown }).menu), 'GraphQL takes the client token too');
      const revoked = await root.post('/manage_capabilities/clients/revoke', { client_id: client.clientId });
      assert.deepEqual(revoked.json, { status: 'ok', client_id: client.clientId });
      expectDenial(await asBot.get('/bake?food=rye'), 401, 'TOKEN_REVOKED');
      const refusedMenu = (await menu()).json as { errors?: { extensions?: { code?: string; reason?: string } }[] };
      assert.deepEqual([refusedMenu.errors?.[0]?.extensions?.code, refusedMenu.errors?.[0]?.extensions?.reason], ['UNAUTHENTICATED', 'TOKEN_REVOKED']);
      assert.equal((await token(client)).json.error, 'invalid_client');
      const listed = await root.get('/manage_capabilities/clients');
      assert.ok(!(listed.json.clients as { client_id: string }[]).some((found) => found.client_id === client.clientId));
      expectDenial(await root.post('/manage_capabilities/clients/revoke', { client_id: client.clientId }), 404, 'CLIENT_UNKNOWN');
    });

    it('holds at each request only what the account holds now: a removed capability is gone at once', async () => {
      const client = await create('cop@service');
      const answer = await oidc.clientCredentialsGrant(configurationOf(client), { scope: 'arrest' });
      const asCop = example.client().withToken(answer.access_token);
      assert.equal((await asCop.get('/arrest')).status, 200);
      assert.equal((await root.post('/manage_capabilities/remove', { email: 'cop@service', capability: 'arrest' })).status, 200);
      expectDenial(await asCop.get('/arrest'), 403, 'CAPABILITY_MISSING');
      assert.equal((await token(client, { scope: 'arrest' })).json.error, 'invalid_scope');
      assert.equal((await root.post('/manage_capabilities/add', { email: 'cop@service', capability: 'arrest' })).status, 200);
      assert.equal((await asCop.get('/arrest')).status, 200, 'the token asked for arrest, and the account holds it again');
    });

    it('refuses the tokens and the client of a deleted account', async () => {
      assert.equal((await root.post('/manage_capabilities/set', { email: 'temp@service', capabilities: ['bake'] })).status, 200);
      const client = await create('temp@service');
      const answer = await oidc.clientCredentialsGrant(configurationOf(client));
      const asTemp = example.client().withToken(answer.access_token);
      assert.equal((await asTemp.get('/bake?food=rye')).status, 200);
      assert.equal((await root.post('/manage_capabilities/delete', { email: 'temp@service' })).status, 200);
      expectDenial(await asTemp.get('/bake?food=rye'), 401, 'TOKEN_REVOKED');
      assert.equal((await token(client)).json.error, 'invalid_client');
      assert.equal((await root.post('/manage_capabilities/set', { email: 'temp@service', capabilities: ['bake'] })).status, 200);
      const revived = await token(client);
      assert.equal(revived.json.error, 'invalid_client', 'an account made again under the same name does not bring its old client back');
    });

    it('refuses management to those who may not, with a code', async () => {
      const bob = await example.signedIn('bob@example.com');
      expectDenial(await bob.post('/manage_capabilities/clients', { account: 'bot@service' }), 403, 'CAPABILITY_MISSING');
      expectDenial(await bob.get('/manage_capabilities/clients'), 403, 'CAPABILITY_MISSING');
      expectDenial(await example.client().get('/manage_capabilities/clients'), 401, 'SIGN_IN_REQUIRED');
      expectDenial(await lead.post('/manage_capabilities/clients', { account: 'cop@service' }), 403, 'GRANT_FORBIDDEN');
      expectDenial(await root.post('/manage_capabilities/clients', { account: 'bob@example.com' }), 400, 'SERVICE_ACCOUNT_REQUIRED');
      expectDenial(await root.post('/manage_capabilities/clients', { account: 'ghost@service' }), 404, 'UNKNOWN_ACCOUNT');
      expectDenial(await root.post('/manage_capabilities/clients', { account: 'bot@service', secret: 'mine' }), 400, 'INVALID_REQUEST');
      const rootToken = (await root.get('/token')).json.token as string;
      expectDenial(await example.client().withToken(rootToken).post('/manage_capabilities/clients', { account: 'bot@service' }), 403, 'SESSION_REQUIRED');
      const copClient = await create('cop@service');
      expectDenial(await lead.post('/manage_capabilities/clients/revoke', { client_id: copClient.clientId }), 403, 'GRANT_FORBIDDEN');
      const answer = await oidc.clientCredentialsGrant(configurationOf(await create('bot@service')));
      expectDenial(await example.client().withToken(answer.access_token).post('/manage_capabilities/clients', { account: 'bot@service' }), 403, 'CAPABILITY_MISSING');
      assert.equal((await lead.post('/manage_capabilities/clients', { account: 'bot@service' })).status, 200, 'a manager holding all the account holds may');
    });

    it('records creations and revocations in the audit trail', async () => {
      const client = await create('bot@service');
      await root.post('/manage_capabilities/clients/revoke', { client_id: client.clientId });
      const entries = (await root.get('/manage_capabilities/audit?limit=50')).json.entries as { action: string; target: string; outcome: string; actor: string }[];
      assert.ok(entries.some((entry) => entry.action === 'client_revoke' && entry.target === `client:${client.clientId}` && entry.outcome === 'ok'));
      assert.ok(entries.some((entry) => entry.action === 'client_create' && entry.target === 'bot@service' && entry.outcome === 'ok'));
      assert.ok(entries.some((entry) => entry.action === 'client_create' && entry.actor === 'lead@example.com' && entry.outcome === 'refused'));
    });

    it('slows down repeated failed authentication of one client: 429 with Retry-After after 10 failures', async () => {
      const client = await create('bot@service');
      const wrong = { ...client, secret: 'ncs_wrong' };
      for (let i = 0; i < 10; i++) assert.equal((await token(wrong)).status, 401);
      const slowed = await token(client);
      assert.equal(slowed.status, 429, slowed.text);
      assert.equal(slowed.json.error, 'slow_down');
      const retryAfter = Number(slowed.headers.get('retry-after'));
      assert.ok(retryAfter >= 1 && retryAfter <= 60, `Retry-After ${String(retryAfter)}`);
      const other = await create('bot@service');
      assert.equal((await token(other)).status, 200, 'another client is not slowed');
    });
  });
}
