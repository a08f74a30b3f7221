import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { expectDenial, expectHtmlDenial } from '../support/denial';
import { ADAPTERS, startExample, type RunningExample } from '../support/example-server';
import type { HttpClient } from '../support/http-client';

// The repository's caps.yaml: pierre is a baker at shop:paris, claire may bake at
// shop:paris/oven:2, louis is a baker at shop:lyon, baker@ is a baker everywhere;
// every signed-in user reads everywhere, a guest holds nothing.

/** GET `path` exactly as written (fetch would resolve `..` and `%2E%2E` before sending), with `client`'s cookies. */
function rawGet(client: HttpClient, path: string): Promise<{ status: number; json: Record<string, unknown> }> {
  const url = new URL(client.baseUrl);
  const cookie = [...client.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  return new Promise((resolve, reject) => {
    const outgoing = request({ host: url.hostname, port: url.port, path, method: 'GET', headers: { cookie, accept: 'application/json' } }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (text += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, json: text.startsWith('{') ? (JSON.parse(text) as Record<string, unknown>) : {} }));
    });
    outgoing.on('error', reject);
    outgoing.end();
  });
}

for (const adapter of ADAPTERS) {
  describe(`scoped routes of the example app on ${adapter}`, () => {
    let example: RunningExample;
    const as: Record<string, HttpClient> = {};

    before(async () => {
      example = await startExample({ adapter });
      as['guest'] = example.client();
      for (const who of ['pierre', 'claire', 'louis', 'baker', 'admin']) as[who] = await example.signedIn(`${who}@example.com`);
      as['nobody'] = await example.signedIn('someone@else.org');
    });
    after(() => example?.close());

    const matrix: [string, string, number][] = [
      ['pierre', '/shops/paris/bake', 200],
      ['pierre', '/shops/paris/ovens/2/fire', 200],
      ['pierre', '/shops/paris/ovens/7/fire', 200],
      ['pierre', '/shops/lyon/bake', 403],
      ['pierre', '/shops/paris2/bake', 403],
      ['pierre', '/bake', 403],
      ['claire', '/shops/paris/ovens/2/fire', 200],
      ['claire', '/shops/paris/ovens/1/fire', 403],
      ['claire', '/shops/paris/bake', 403],
      ['claire', '/shops/lyon/ovens/2/fire', 403],
      ['louis', '/shops/lyon/bake', 200],
      ['louis', '/shops/paris/bake', 403],
      ['baker', '/shops/paris/bake', 200],
      ['baker', '/shops/anywhere/ovens/9/fire', 200],
      ['admin', '/shops/lyon/ovens/1/fire', 200],
      ['nobody', '/shops/paris/menu', 200],
      ['nobody', '/shops/paris/bake', 403],
      ['guest', '/shops/paris/menu', 401],
      ['guest', '/shops/paris/bake', 401],
    ];
    for (const [who, path, status] of matrix) {
      it(`answers ${status} to ${who} on ${path}`, async () => {
        const reply = await as[who]!.get(path);
        if (status === 200) assert.equal(reply.status, 200, reply.text);
        else expectDenial(reply, status, status === 401 ? 'SIGN_IN_REQUIRED' : 'CAPABILITY_MISSING');
      });
    }

    it('names the capability and the scope in a scoped 403 body', async () => {
      const reply = await as['pierre']!.get('/shops/lyon/bake');
      assert.deepEqual(reply.json, { statusCode: 403, message: 'missing capability "bake" at scope "shop:lyon"', code: 'CAPABILITY_MISSING', scope: 'shop:lyon' });
      const oven = await as['claire']!.get('/shops/paris/ovens/1/fire');
      assert.equal(oven.json.scope, 'shop:paris/oven:1');
    });

    it('keeps a global 403 body as it was: no scope', async () => {
      const reply = await as['pierre']!.get('/bake');
      assert.deepEqual(reply.json, { statusCode: 403, message: 'missing capability "bake"', code: 'CAPABILITY_MISSING' });
    });

    it('names the scope on the refusal page a browser gets', async () => {
      const reply = await as['pierre']!.get('/shops/lyon/bake', { accept: 'text/html' });
      expectHtmlDenial(reply, 403, 'CAPABILITY_MISSING');
      assert.match(reply.text, /needs the capability <code>bake<\/code> at <code id="scope">shop:lyon<\/code>/);
    });

    it('serves the shop routes their answers', async () => {
      assert.deepEqual((await as['pierre']!.get('/shops/paris/bake?food=rye')).json, { baked: 'rye', by: 'pierre@example.com' });
      assert.deepEqual((await as['claire']!.get('/shops/paris/ovens/2/fire')).json, { shop: 'paris', oven: '2', fired: true });
      assert.deepEqual((await as['nobody']!.get('/shops/lyon/menu')).json, { shop: 'lyon', items: ['croissant', 'baguette', 'cannolo'] });
    });

    const invalid: [string, string][] = [
      ['..', '/shops/../bake'],
      ['an encoded ..', '/shops/%2E%2E/bake'],
      ['.', '/shops/./bake'],
      ['an encoded slash', '/shops/paris%2Flyon/bake'],
      ['an encoded slash in the oven', '/shops/paris/ovens/2%2F..%2F1/fire'],
      ['a value too long', `/shops/${'a'.repeat(129)}/bake`],
      ['a non-ASCII value', '/shops/p%C3%A4ris/bake'],
      ['a colon', '/shops/paris:2/bake'],
    ];
    for (const [what, path] of invalid) {
      it(`answers 400 SCOPE_INVALID to ${what} in a route parameter, even to a global baker`, async () => {
        for (const who of ['baker', 'pierre']) {
          const reply = await rawGet(as[who]!, path);
          assert.equal(reply.status, 400, `${who} ${path}: ${JSON.stringify(reply.json)}`);
          assert.equal(reply.json['code'], 'SCOPE_INVALID', path);
        }
      });
    }

    it('never reaches a route with an empty parameter', async () => {
      const reply = await rawGet(as['baker']!, '/shops//bake');
      assert.notEqual(reply.status, 200);
    });

    it('reads the scope from the path only, never from a header or the query', async () => {
      const reply = await as['pierre']!.get('/shops/lyon/bake?shop=paris&scope=shop:paris', { 'x-scope': 'shop:paris', scope: 'shop:paris' });
      expectDenial(reply, 403, 'CAPABILITY_MISSING');
      assert.equal(reply.json.scope, 'shop:lyon');
    });

    it('lists on /whoami what the caller may use at each scope where it has a grant', async () => {
      assert.deepEqual((await as['pierre']!.get('/whoami')).json, { user: 'pierre@example.com', capabilities: ['read'], scopes: { 'shop:paris': ['bake', 'baker', 'read'] } });
      assert.deepEqual((await as['claire']!.get('/whoami')).json, { user: 'claire@example.com', capabilities: ['read'], scopes: { 'shop:paris/oven:2': ['bake', 'read'] } });
      assert.deepEqual((await as['baker']!.get('/whoami')).json, { user: 'baker@example.com', capabilities: ['bake', 'baker', 'read'], scopes: {} });
      assert.deepEqual((await as['guest']!.get('/whoami')).json, { user: null, capabilities: [], scopes: {} });
    });

    it('answers /whoami?scope=S with what the caller may use at S: ancestors count, siblings and descendants do not', async () => {
      assert.deepEqual((await as['pierre']!.get('/whoami?scope=shop:paris/oven:2')).json, { user: 'pierre@example.com', capabilities: ['bake', 'baker', 'read'] });
      assert.deepEqual((await as['pierre']!.get('/whoami?scope=shop:lyon')).json, { user: 'pierre@example.com', capabilities: ['read'] });
      assert.deepEqual((await as['claire']!.get('/whoami?scope=shop:paris')).json, { user: 'claire@example.com', capabilities: ['read'] });
      assert.deepEqual((await as['guest']!.get('/whoami?scope=shop:paris')).json, { user: null, capabilities: [] });
    });

    for (const scope of ['', '..', 'shop:..', 'shop:paris/', 'shop', 'shop:p%C3%A4ris', encodeURIComponent('shop:a/b:c/d:e/f:g/h:i/j:k/l:m/n:o/p:q')]) {
      it(`answers /whoami?scope=${scope} with 400 SCOPE_INVALID`, async () => {
        expectDenial(await as['pierre']!.get(`/whoami?scope=${scope}`), 400, 'SCOPE_INVALID');
      });
    }
  });
}
