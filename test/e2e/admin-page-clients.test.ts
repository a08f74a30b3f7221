import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CLIENTS_CAPS } from '../fixtures/clients-caps';
import { ADAPTERS, startExample, type RunningExample } from '../support/example-server';
import type { HttpClient } from '../support/http-client';

const HTML = { accept: 'text/html' };

for (const adapter of ADAPTERS) {
  describe(`OAuth clients on the admin page on ${adapter}`, () => {
    let example: RunningExample;
    let lead: HttpClient;
    let form: (fields: Record<string, string>) => ReturnType<HttpClient['postForm']>;

    before(async () => {
      example = await startExample({ adapter, caps: CLIENTS_CAPS });
      lead = await example.signedIn('lead@example.com');
      form = (fields) => lead.postForm('/manage_capabilities', fields, { ...HTML, origin: example.baseUrl });
    });
    after(() => example.close());

    it('creates a client showing its secret once, lists it without one, and revokes it', async () => {
      const created = await form({ op: 'client_create', account: 'bot@service', name: 'oven robot' });
      assert.equal(created.status, 200, created.text);
      const clientId = /<code id="new-client-id">([^<]+)<\/code>/.exec(created.text)?.[1];
      const secret = /<code id="new-client-secret">([^<]+)<\/code>/.exec(created.text)?.[1];
      assert.ok(clientId !== undefined && secret !== undefined && secret.startsWith('ncs_'), created.text);
      assert.equal(created.headers.get('referrer-policy'), 'no-referrer', 'the page with the secret is kept out of Referer headers');
      const granted = await example.client().postForm('/token', { grant_type: 'client_credentials', client_id: clientId, client_secret: secret });
      assert.equal(granted.status, 200, granted.text);

      const page = await lead.get('/manage_capabilities', HTML);
      assert.match(page.text, new RegExp(`<tr data-client="${clientId}"><td><code>${clientId}</code></td><td>bot@service</td><td>oven robot</td>`));
      assert.ok(!page.text.includes(secret.slice(4)), 'the secret is not shown again');

      const revoked = await form({ op: 'client_revoke', client_id: clientId });
      assert.equal(revoked.status, 200, revoked.text);
      assert.match(revoked.text, /Revoked the OAuth client/);
      assert.doesNotMatch(revoked.text, new RegExp(`data-client="${clientId}"`));
      const refused = await example.client().postForm('/token', { grant_type: 'client_credentials', client_id: clientId, client_secret: secret });
      assert.equal(refused.json.error, 'invalid_client');
    });

    it('refuses on the page what the JSON route refuses, with its code', async () => {
      const tooMuch = await form({ op: 'client_create', account: 'cop@service', name: '' });
      assert.equal(tooMuch.status, 403);
      assert.match(tooMuch.text, /data-code="GRANT_FORBIDDEN"/);
      const person = await form({ op: 'client_create', account: 'bob@example.com', name: '' });
      assert.equal(person.status, 400);
      assert.match(person.text, /data-code="SERVICE_ACCOUNT_REQUIRED"/);
      const unknown = await form({ op: 'client_revoke', client_id: 'ncc_nobody' });
      assert.equal(unknown.status, 404);
      assert.match(unknown.text, /data-code="CLIENT_UNKNOWN"/);
    });
  });
}
