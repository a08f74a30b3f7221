import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { apiKeyFileFor } from '../../src/stores/file/file-api-key.store';
import type { CapabilitiesErrorCode } from '../../src/errors';
import { STATUS_OF } from '../../src/http/error-status';
import { revocationFileFor } from '../../src/stores/file/file-revocation.store';
import { MANAGERS_CAPS } from '../fixtures/managers-caps';
import { SeededRandom } from '../fixtures/seeded-random';
import { htmlCodeOf } from '../support/denial';
import { ADAPTERS, startExample, type RunningExample } from '../support/example-server';
import type { HttpClient, Reply } from '../support/http-client';

/** Requests sent to each adapter: a few hundred, in process. */
const REQUESTS = 300;

/** A route of the module, what it reads, and whether it changes anything when it accepts a request. */
interface Route {
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly reads: 'json' | 'form' | 'nothing';
  /** The fields of a body it accepts, each with a value it would accept. */
  readonly fields?: Readonly<Record<string, unknown>>;
  readonly writes: boolean;
  /** RFC 7009 revocation: a form is answered 200 whatever its token was, and ends only a token the caller may end. */
  readonly answersAnyForm?: boolean;
}

/** Every route of the module a signed-in manager may call without leaving (no sign-out, no provider). */
const ROUTES: readonly Route[] = [
  { method: 'POST', path: '/manage_capabilities/add', reads: 'json', fields: { email: 'carol@example.com', capability: 'bake' }, writes: true },
  { method: 'POST', path: '/manage_capabilities/remove', reads: 'json', fields: { email: 'bob@example.com', capability: 'read' }, writes: true },
  { method: 'POST', path: '/manage_capabilities/set', reads: 'json', fields: { email: 'carol@example.com', capabilities: ['bake'] }, writes: true },
  { method: 'POST', path: '/manage_capabilities/keys', reads: 'json', fields: { name: 'made-by-a-test', capabilities: ['bake'] }, writes: true },
  { method: 'POST', path: '/manage_capabilities/keys/revoke', reads: 'json', fields: { name: 'no-such-key' }, writes: true },
  { method: 'POST', path: '/token/revoke', reads: 'json', fields: { token: 'not-a-token' }, writes: true, answersAnyForm: true },
  { method: 'POST', path: '/token/introspect', reads: 'form', fields: { token: 'not-a-token' }, writes: false },
  { method: 'POST', path: '/token/revoke_all', reads: 'json', fields: { email: 'carol@example.com' }, writes: true },
  { method: 'POST', path: '/manage_capabilities', reads: 'form', fields: { op: 'add', email: 'carol@example.com', capability: 'bake' }, writes: true },
  { method: 'POST', path: '/login/dev', reads: 'form', fields: { email: 'carol@example.com' }, writes: true },
  { method: 'GET', path: '/whoami', reads: 'nothing', writes: false },
  { method: 'GET', path: '/token', reads: 'nothing', writes: false },
  { method: 'GET', path: '/manage_capabilities/list', reads: 'nothing', writes: false },
  { method: 'GET', path: '/manage_capabilities/all', reads: 'nothing', writes: false },
  { method: 'GET', path: '/manage_capabilities/keys', reads: 'nothing', writes: false },
  { method: 'GET', path: '/manage_capabilities/audit', reads: 'nothing', writes: false },
  { method: 'GET', path: '/manage_capabilities', reads: 'nothing', writes: false },
  { method: 'GET', path: '/login', reads: 'nothing', writes: false },
];

/** Values of the wrong type for any field. */
const WRONG_TYPES: readonly unknown[] = [42, -1.5, null, true, {}, { email: 'carol@example.com' }, [['bake']]];

/** Texts no field accepts: empty, blank, too long, control and invisible characters, a lone surrogate, prototype names. */
const REFUSED_TEXTS: readonly string[] = ['', ' ', '\u0000', 'bad\u202ename', '\udc00', '__proto__', 'a'.repeat(8000)];

/** For each field of the module's bodies, values it refuses: Unicode traps, prototype names, sizes. */
const REFUSED_BY_FIELD: Readonly<Record<string, readonly unknown[]>> = {
  email: ['no-at-sign', '@example.com', 'carol@', 'ca rol@example.com', 'carol@@example.com', 'carol@example..com', 'carol\u0000@example.com', 'ca\u202erol@example.com', 'ca\u200brol@example.com', 'ｃａｒｏｌ@example.com', 'carol\ud83d@example.com', `${'x'.repeat(300)}@example.com`],
  capability: ['constructor', 'toString', 'no-such-capability', 'bake ', 'bake\u200b', 'x'.repeat(300)],
  capabilities: ['bake', [42], ['__proto__'], ['no-such-capability'], ['bake', null], Array.from({ length: 300 }, () => 'bake')],
  name: ['bad name!', '_key', '.key', 'k'.repeat(65), 'ключ', 'key\u0000'],
  token: ['not-a-token', 'a.b.c', `nck_${'x'.repeat(40)}`],
  op: ['grant', 'ADD', 'add ', 'key_create\u0000'],
};

function refusedFor(field: string, random: SeededRandom): unknown {
  const own = Object.hasOwn(REFUSED_BY_FIELD, field) ? REFUSED_BY_FIELD[field]! : [];
  return random.pick([...WRONG_TYPES, ...REFUSED_TEXTS, ...own]);
}

/** Media types a route that reads `reads` does not take. */
function foreignTypes(reads: 'json' | 'form'): string[] {
  const json = ['application/json', 'application/json; charset=latin1', 'application/json; charset=utf-16', 'APPLICATION/JSON; charset="ISO-8859-1"'];
  const form = ['application/x-www-form-urlencoded', 'application/x-www-form-urlencoded; charset=latin1'];
  const others = ['text/plain', 'application/xml', 'multipart/form-data; boundary=x', 'application/jsonx', 'text/html'];
  return reads === 'json' ? [...form, ...others, json[1]!, json[2]!, json[3]!] : [...json, ...others, form[1]!];
}

interface BadRequest {
  readonly what: string;
  readonly type?: string | undefined;
  readonly body?: string | Uint8Array;
  /** A query string to add to the route's path, with its `?`. */
  readonly query?: string;
}

/** The accepted fields of `route` with one defect at least, so that no body can be accepted. */
function defective(route: Route, random: SeededRandom): { fields: [string, unknown][]; what: string } {
  const fields: [string, unknown][] = Object.entries(route.fields ?? { email: 'carol@example.com' });
  const names = fields.map(([name]) => name);
  switch (random.below(5)) {
    case 0: {
      const at = random.below(fields.length);
      const value = refusedFor(fields[at]![0], random);
      fields[at] = [fields[at]![0], value];
      return { fields, what: `${names[at]!} = ${JSON.stringify(value)?.slice(0, 40)}` };
    }
    case 1: {
      const missing = fields.splice(random.below(fields.length), 1)[0]![0];
      return { fields, what: `without ${missing}` };
    }
    case 2: {
      const key = random.pick(['__proto__', 'constructor', 'prototype', 'admin', 'capabilities\u0000', 'é', '']);
      fields.splice(random.below(fields.length + 1), 0, [key, random.pick([{ admin: true }, { prototype: { admin: true } }, 'x', 1])]);
      // A form's extra fields are ignored, not refused: one of its own is refused as well.
      const own = fields.findIndex(([name]) => name !== key);
      if (route.reads === 'form') fields[own] = [fields[own]![0], refusedFor(fields[own]![0], random)];
      return { fields, what: `with an extra ${JSON.stringify(key)}` };
    }
    case 3: {
      // The last of two equal keys is the one a parser keeps: it is the refused one.
      const at = random.below(fields.length);
      fields.push([fields[at]![0], refusedFor(fields[at]![0], random)]);
      return { fields, what: `${names[at]!} twice, the second refused` };
    }
    default: {
      const value = deeplyNested(random.below(3000) + 10);
      const at = random.below(fields.length);
      fields[at] = [fields[at]![0], value];
      return { fields, what: `${names[at]!} nested deep` };
    }
  }
}

function deeplyNested(depth: number): unknown {
  let value: unknown = 'carol@example.com';
  for (let level = 0; level < depth; level++) value = level % 2 === 0 ? [value] : { email: value };
  return value;
}

/** An object's text with its fields in order, duplicates kept (JSON.stringify would merge them). */
function jsonText(fields: readonly [string, unknown][]): string {
  return `{${fields.map(([name, value]) => `${JSON.stringify(name)}:${JSON.stringify(value) ?? 'null'}`).join(',')}}`;
}

function formText(fields: readonly [string, unknown][]): string {
  const pairs = fields.flatMap(([name, value]) => (Array.isArray(value) ? value : [value]).map((item) => `${formEncoded(name)}=${formEncoded(typeof item === 'string' ? item : JSON.stringify(item) ?? '')}`));
  return pairs.join('&');
}

/** Percent-encoded as a form would be; a lone surrogate as the bytes a careless client sends for it (not UTF-8). */
function formEncoded(text: string): string {
  return [...text].map((character) => (/^[\ud800-\udfff]$/.test(character) ? '%ED%A0%BD' : encodeURIComponent(character))).join('');
}

/** Parameters the module's GET routes read, with refused values. */
function badQuery(random: SeededRandom): BadRequest {
  const query = new URLSearchParams();
  for (let count = random.below(3) + 1; count > 0; count--) {
    const field = random.pick(['email', 'limit', 'since', 'capability', 'page', 'services_page', 'user', 'redirect', '__proto__']);
    const value = refusedFor(field, random);
    query.append(field, typeof value === 'string' ? value : JSON.stringify(value));
  }
  return { what: 'a refused query', query: `?${query.toString()}` };
}

/** One generated request that `route` must refuse, or (for a route that reads nothing) may answer. */
function badRequest(route: Route, random: SeededRandom): BadRequest {
  if (route.reads === 'nothing') return badQuery(random);
  const reads = route.reads;
  const ownType = reads === 'json' ? 'application/json' : 'application/x-www-form-urlencoded';
  const { fields, what } = defective(route, random);
  const text = reads === 'json' ? jsonText(fields) : formText(fields);
  switch (random.below(8)) {
    case 0:
      return { what: 'not JSON', type: 'application/json', body: random.pick(['s', ' ', '{', '[1,', '{"email":', 'nul', '\u0000', "{'email': 'x'}", '{"a":1}}', '\ufeff{'] as const) };
    case 1:
      return { what: 'over the limit', type: ownType, body: reads === 'json' ? jsonText([...fields, ['padding', 'x'.repeat(17_000)]]) : `${text}&padding=${'x'.repeat(17_000)}` };
    case 2:
      return { what: 'bytes that are not UTF-8', type: ownType, body: Uint8Array.from([...Buffer.from(text.slice(0, 20)), 0xff, 0xfe, 0xc3, 0x28, ...Buffer.from(text.slice(20))]) };
    case 3:
      return { what: `a whole array nested ${(random.below(4) + 1) * 1000} deep`, type: 'application/json', body: `${'['.repeat(4000)}${']'.repeat(4000)}` };
    case 4: {
      // A body the route would take, sent as a type it does not read.
      const valid = Object.entries(route.fields ?? {});
      return { what: 'a good body of a foreign type', type: random.pick(foreignTypes(reads)), body: reads === 'json' ? formText(valid) || 'email=carol%40example.com' : jsonText(valid) };
    }
    case 5:
      return { what: `${what}, no Content-Type`, type: undefined, body: text };
    default:
      return { what, type: ownType, body: text };
  }
}

/** The stable code of an answer: `code` of the JSON body, or `data-code` of the page. */
function codeOf(reply: Reply): unknown {
  return reply.json.code ?? htmlCodeOf(reply.text);
}

for (const adapter of ADAPTERS) {
  describe(`generated bad input to every route of the module, on ${adapter}`, () => {
    let example: RunningExample;
    let lead: HttpClient;

    before(async () => {
      example = await startExample({ adapter, caps: MANAGERS_CAPS });
      lead = await example.signedIn('lead@example.com');
    });
    after(() => example.close());

    it(`answers ${REQUESTS} generated bad requests with a code and never a 5xx, and writes nothing`, async () => {
      const files = [example.capsFile, apiKeyFileFor(example.capsFile), revocationFileFor(example.capsFile)];
      const contents = (): (string | undefined)[] => files.map((file) => (existsSync(file) ? readFileSync(file, 'utf8') : undefined));
      const before = contents();
      const accounts = (await lead.get('/manage_capabilities/all')).json;
      const keys = (await lead.get('/manage_capabilities/keys')).json;
      const random = new SeededRandom(adapter === 'express' ? 1_204 : 2_026);
      for (let sent = 0; sent < REQUESTS; sent++) {
        // Mostly the routes that read a body; the others with refused query strings.
        const route = random.pick(ROUTES.filter((candidate) => (candidate.reads === 'nothing') === random.chance(0.2)));
        const request = badRequest(route, random);
        const headers: Record<string, string> = { origin: example.baseUrl, ...(request.type === undefined ? {} : { 'content-type': request.type }) };
        if (random.chance(0.3)) headers['accept'] = 'text/html';
        const reply = await lead.request(route.method, `${route.path}${request.query ?? ''}`, { headers, ...(request.body === undefined ? {} : { body: request.body }) });
        const context = `#${sent} ${route.method} ${route.path} (${request.what}, ${request.type ?? 'no type'}, ${headers['accept'] ?? 'JSON'}): ${reply.status} ${reply.text.slice(0, 300)}`;
        assert.ok(reply.status < 500, context);
        if (reply.status >= 400) {
          const code = codeOf(reply);
          assert.ok(typeof code === 'string' && Object.hasOwn(STATUS_OF, code), `one of the module's codes: ${context}`);
          assert.equal(STATUS_OF[code as CapabilitiesErrorCode], reply.status, context);
        }
        else assert.ok(!route.writes || (route.answersAnyForm === true && /^application\/x-www-form-urlencoded/i.test(request.type ?? '')), `a route that writes took a generated bad body: ${context}`);
      }
      assert.deepEqual(contents(), before, 'the caps file, the key file and the revocation file are as they were');
      assert.deepEqual((await lead.get('/manage_capabilities/all')).json, accounts);
      assert.deepEqual((await lead.get('/manage_capabilities/keys')).json, keys);
      assert.equal((await lead.get('/whoami')).json.user, 'lead@example.com', 'the session still works: nothing revoked it');
    });
  });
}
