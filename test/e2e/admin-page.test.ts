import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { MANAGERS_CAPS } from '../fixtures/managers-caps';
import { expectDenial, expectHtmlDenial } from '../support/denial';
import { ADAPTERS, startExample, type RunningExample } from '../support/example-server';
import type { HttpClient } from '../support/http-client';

const HTML = { accept: 'text/html' };

/** The capabilities offered in the add menu of `email`'s row of the admin page. */
function addMenuOf(page: string, email: string): string[] {
  const row = new RegExp(`<tr data-email="${email.replace(/[.]/g, '\\.')}">(.*?)</tr>`).exec(page)?.[1];
  assert.ok(row !== undefined, `a row for ${email}`);
  const menu = /<select name="capability"[^>]*>(.*?)<\/select>/.exec(row)?.[1] ?? '';
  return [...menu.matchAll(/<option value="([^"]+)">/g)].map((match) => match[1]!);
}

for (const adapter of ADAPTERS) {
  describe(`admin page on ${adapter}`, () => {
    let example: RunningExample;
    let lead: HttpClient;
    let form: (fields: Record<string, string>, headers?: Record<string, string>) => ReturnType<HttpClient['postForm']>;

    before(async () => {
      example = await startExample({ adapter, caps: MANAGERS_CAPS });
      lead = await example.signedIn('lead@example.com');
      form = (fields, headers = { origin: example.baseUrl }) => lead.postForm('/manage_capabilities', fields, { ...HTML, ...headers });
    });
    after(() => example.close());

    it('shows a manager the accounts, stored and effective, and offers only what they may grant', async () => {
      const reply = await lead.get('/manage_capabilities', HTML);
      assert.equal(reply.status, 200);
      assert.match(reply.headers.get('content-type') ?? '', /^text\/html/);
      assert.match(reply.text, /<meta name="viewport" content="width=device-width, initial-scale=1">/);
      assert.match(reply.text, /<tr data-email="bob@example.com"><td>bob@example.com<\/td><td class="stored"><span class="cap">write<\/span><\/td><td class="effective">read, write<\/td>/);
      const forms = reply.text.replace(/<form method="get".*?<\/form>/s, '');
      const offered = [...forms.matchAll(/<option value="([^"]+)">/g)].map((match) => match[1]).filter((value) => !/^\d+$/.test(value!));
      assert.ok(offered.length > 0);
      assert.deepEqual([...new Set(offered)].sort(), ['bake', 'read', 'user_management'], 'lead holds user_management and bake (and read by it)');
      assert.doesNotMatch(reply.text, /aria-label="remove write from bob@example.com"/, 'no button to remove what lead could not grant');
    });

    it("offers in an account's add menu only what the account lacks and the manager may grant", async () => {
      const page = (await lead.get('/manage_capabilities', HTML)).text;
      assert.deepEqual(addMenuOf(page, 'bob@example.com'), ['bake', 'user_management'], 'bob holds write, and read by it and by default');
      assert.deepEqual(addMenuOf(page, 'lead@example.com'), [], 'lead holds all he may grant');
      assert.deepEqual(addMenuOf(page, 'root@example.com'), [], 'admin holds everything');
    });

    it('searches by email', async () => {
      const reply = await lead.get('/manage_capabilities?email=bob', HTML);
      assert.match(reply.text, /data-email="bob@example.com"/);
      assert.doesNotMatch(reply.text, /data-email="root@example.com"/);
    });

    it('grants through a form, with the same rules as the JSON routes, and records it', async () => {
      const granted = await form({ op: 'add', email: 'Carol@Example.com', capability: 'bake' });
      assert.equal(granted.status, 200);
      assert.match(granted.text, /Granted bake to carol@example.com\./);
      assert.deepEqual((await lead.get('/manage_capabilities/list?email=carol@example.com')).json.capabilities, ['bake']);
      assert.match(granted.text, /<td>lead@example.com<\/td><td>add<\/td><td>carol@example.com<\/td><td>ok<\/td>/);

      const refused = await form({ op: 'add', email: 'carol@example.com', capability: 'arrest' });
      expectHtmlDenial(refused, 403, 'GRANT_FORBIDDEN');
      assert.match(refused.text, /Refused: you may not grant or remove &quot;arrest&quot;/);
      assert.deepEqual((await lead.get('/manage_capabilities/list?email=carol@example.com')).json.capabilities, ['bake']);
    });

    it('shows what a removal changes before it is made, and makes it once confirmed', async () => {
      assert.equal((await form({ op: 'add', email: 'ivy@example.com', capability: 'bake' })).status, 200);
      const preview = await form({ op: 'remove', email: 'ivy@example.com', capability: 'bake' });
      assert.equal(preview.status, 200);
      assert.match(preview.text, /<div id="notice" class="confirm" role="status"><p>Remove bake from ivy@example\.com\?<\/p><ul id="plan"><li>ivy@example\.com: loses bake<\/li><\/ul>/);
      assert.match(preview.text, /<input type="hidden" name="confirmed" value="yes">/);
      assert.deepEqual((await lead.get('/manage_capabilities/list?email=ivy@example.com')).json.capabilities, ['bake'], 'nothing removed yet');
      const removed = await form({ op: 'remove', email: 'ivy@example.com', capability: 'bake', confirmed: 'yes' });
      assert.match(removed.text, /Removed bake from ivy@example\.com\./);
      assert.deepEqual((await lead.get('/manage_capabilities/list?email=ivy@example.com')).json.capabilities, []);
    });

    it('creates an API key shown once, lists it, and revokes it', async () => {
      const created = await lead.postForm(
        '/manage_capabilities',
        { op: 'key_create', name: 'page-key', capabilities: 'bake', expires_in: '2592000', note: '<b>robot</b>' },
        { ...HTML, origin: example.baseUrl },
      );
      assert.equal(created.status, 200, created.text);
      const key = /<code id="new-key">(nck_[^<]+)<\/code>/.exec(created.text)?.[1];
      assert.ok(key !== undefined);
      assert.equal((await example.client().withToken(key).get('/whoami')).json.user, 'key:page-key');
      assert.match(created.text, /&lt;b&gt;robot&lt;\/b&gt;/, 'the note is escaped');
      assert.doesNotMatch((await lead.get('/manage_capabilities', HTML)).text, new RegExp(key), 'never shown again');
      const revoked = await form({ op: 'key_revoke', name: 'page-key' });
      assert.match(revoked.text, /Revoked the API key page-key\./);
      assert.equal((await example.client().withToken(key).get('/whoami')).json.code, 'TOKEN_REVOKED');
    });

    it('refuses a key whose name or note holds a control character with 400 INPUT_INVALID, and creates nothing', async () => {
      for (const [fields, field] of [
        [{ name: 'forged', note: 'x\r\u001b[2Kfake\nline' }, 'note'],
        [{ name: 'esc\u001b[2K', note: '' }, 'name'],
      ] as const) {
        const reply = await form({ op: 'key_create', capabilities: 'bake', expires_in: '3600', ...fields });
        expectHtmlDenial(reply, 400, 'INPUT_INVALID', field);
        assert.match(reply.text, new RegExp(`Refused: &quot;${field}&quot; must be well-formed text`), field);
      }
      const listed = (await lead.get('/manage_capabilities/keys')).json.keys as { name: string }[];
      assert.ok(!listed.some((key) => key.name === 'forged' || key.name.startsWith('esc')), JSON.stringify(listed));
    });

    it("refuses the revoke button of a key carrying more than the manager holds with 403 GRANT_FORBIDDEN, and the key keeps working", async () => {
      const root = await example.signedIn('root@example.com');
      const created = await root.post('/manage_capabilities/keys', { name: 'root-page-admin', capabilities: ['admin'] });
      assert.equal(created.status, 200, created.text);
      const refused = await form({ op: 'key_revoke', name: 'root-page-admin' });
      expectHtmlDenial(refused, 403, 'GRANT_FORBIDDEN');
      assert.match(refused.text, /Refused: you may not revoke an API key carrying &quot;admin&quot;/);
      assert.equal((await example.client().withToken(created.json.key as string).get('/whoami')).json.user, 'key:root-page-admin');
      assert.match(refused.text, /<td>lead@example.com<\/td><td>key_revoke<\/td><td>key:root-page-admin<\/td><td>refused<\/td>/, 'audited as refused');
    });

    it('escapes every value it shows', async () => {
      const root = await example.signedIn('root@example.com');
      assert.equal((await root.post('/manage_capabilities/add', { email: "o'brien&co@example.com", capability: 'read' })).status, 200);
      const reply = await lead.get(`/manage_capabilities?email=${encodeURIComponent('"><script>x</script>')}`, HTML);
      assert.doesNotMatch(reply.text, /<script>x/);
      assert.match(reply.text, /value="&quot;&gt;&lt;script&gt;x&lt;\/script&gt;"/);
      const all = await lead.get('/manage_capabilities', HTML);
      assert.match(all.text, /<td>o&#39;brien&amp;co@example.com<\/td>/);
      assert.doesNotMatch(all.text, /o'brien&co/);
    });

    it('deletes an account through its button, with the rules of the JSON route, and records it', async () => {
      const root = await example.signedIn('root@example.com');
      for (const [email, capabilities] of [['dora@example.com', ['bake']], ['wes@example.com', ['write']], ['oven@service', ['bake']]] as const) {
        assert.equal((await root.post('/manage_capabilities/set', { email, capabilities })).status, 200);
      }
      const dora = example.client().withToken(await (await example.signedIn('dora@example.com')).token());
      const page = await lead.get('/manage_capabilities', HTML);
      const doraRow = /<tr data-email="dora@example.com">.*?<\/tr>/.exec(page.text)?.[0] ?? '';
      assert.match(doraRow, /<details class="delete"><summary>Delete account<\/summary><form method="post" action="\/manage_capabilities" class="inline"><input type="hidden" name="op" value="delete"><input type="hidden" name="email" value="dora@example.com"><button type="submit" aria-label="delete the account dora@example.com">/);
      assert.match(/<tr data-service="oven@service">.*?<\/tr>/.exec(page.text)?.[0] ?? '', /name="op" value="delete"/, 'a service account has the button too');
      assert.doesNotMatch(/<tr data-email="wes@example.com">.*?<\/tr>/.exec(page.text)?.[0] ?? '', /value="delete"/, 'no button for an account holding what lead could not remove');
      assert.doesNotMatch(/<tr data-email="lead@example.com">.*?<\/tr>/.exec(page.text)?.[0] ?? '', /value="delete"/, 'no button on the manager\'s own row');

      const deleted = await form({ op: 'delete', email: 'dora@example.com' });
      assert.equal(deleted.status, 200, deleted.text);
      assert.match(deleted.text, /<div id="notice" class="ok" role="status"><p>Deleted the account dora@example.com: its grants, identity links, sessions and tokens have ended\.<\/p>/);
      assert.doesNotMatch(deleted.text, /data-email="dora@example.com"/);
      assert.match(deleted.text, /<td>lead@example.com<\/td><td>delete<\/td><td>dora@example.com<\/td><td>ok<\/td>/);
      expectDenial(await dora.get('/bake'), 401, 'TOKEN_REVOKED');

      const refused = await form({ op: 'delete', email: 'wes@example.com' });
      expectHtmlDenial(refused, 403, 'GRANT_FORBIDDEN');
      assert.match(refused.text, /Refused: you may not grant or remove &quot;write&quot;/);
      assert.deepEqual((await lead.get('/manage_capabilities/list?email=wes@example.com')).json.capabilities, ['write']);
      expectHtmlDenial(await form({ op: 'delete', email: 'nobody@example.com' }), 404, 'UNKNOWN_ACCOUNT');
    });

    it('refuses a form from another site, or without an Origin, and changes nothing', async () => {
      for (const headers of [{ origin: 'https://evil.example' }, { 'sec-fetch-site': 'cross-site' }, {}]) {
        const reply = await form({ op: 'add', email: 'dave@example.com', capability: 'bake' }, headers);
        expectHtmlDenial(reply, 403, 'CROSS_SITE_REQUEST', JSON.stringify(headers));
        assert.match(reply.text, /cross-site (form|request) refused/, JSON.stringify(headers));
      }
      assert.deepEqual((await lead.get('/manage_capabilities/list?email=dave@example.com')).json.capabilities, []);
    });

    it('gives a signed-in non-manager a 403 page and sends a guest to sign in and back', async () => {
      const bob = await example.signedIn('bob@example.com');
      const denied = await bob.get('/manage_capabilities', HTML);
      expectHtmlDenial(denied, 403, 'CAPABILITY_MISSING');
      assert.match(denied.text, /<h1>Not allowed<\/h1>/);
      assert.match(denied.text, /signed in as <strong>bob@example.com<\/strong>/);
      assert.match(denied.text, /This page needs the capability <code>user_management<\/code>/);
      expectHtmlDenial(await bob.postForm('/manage_capabilities', { op: 'add', email: 'bob@example.com', capability: 'bake' }, { ...HTML, origin: example.baseUrl }), 403, 'CAPABILITY_MISSING', 'a form posted by a non-manager');
      const guest = await example.client().get('/manage_capabilities?email=carol', HTML);
      assert.equal(guest.status, 302);
      assert.equal(guest.location, '/login?redirect=%2Fmanage_capabilities%3Femail%3Dcarol', 'back to the very page, search included');
      expectDenial(await example.client().get('/manage_capabilities'), 401, 'SIGN_IN_REQUIRED');
    });
  });
}
