import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parseCapsFile } from '../../src/caps-file/caps-file';
import { cli } from './cli-run';
import { capsFileWith } from '../fixtures/temp-folder';

const CAPS = `capabilities:
  read: []
  bake: [read]
auto_admin: true
users:
  alice@example.com: [admin] # the owner
scopes:
  shop:paris:
    bob@example.com: [bake]
`;

describe('nest-capabilities grant, revoke and list --scope', () => {
  it('grants at a scope into the scopes block, keeping the rest of the file, and records it', async (t) => {
    const file = capsFileWith(t, CAPS);
    const run = await cli(['grant', 'Carol@Example.com', 'read', 'bake', '--scope', 'shop:paris/oven:2', '--caps', file]);
    assert.equal(run.status, 0, run.err);
    assert.equal(run.out, 'carol@example.com at shop:paris/oven:2: bake, read');
    assert.equal(readFileSync(file, 'utf8'), `${CAPS}  shop:paris/oven:2:\n    carol@example.com: [read, bake]\n`);
    const audit = await cli(['audit', '--caps', file, '--json']);
    assert.match(audit.out, /"detail":"added bake, read at shop:paris\/oven:2"/);
    assert.match(audit.out, /"scope":"shop:paris\/oven:2"/, 'the scope in its own field, as the routes record it');
  });

  it('revokes at exactly a scope, removing an account and a scope left empty', async (t) => {
    const file = capsFileWith(t, CAPS);
    const run = await cli(['revoke', 'bob@example.com', 'bake', '--scope', 'shop:paris', '--caps', file]);
    assert.equal(run.status, 0, run.err);
    assert.equal(run.out, 'bob@example.com at shop:paris: (nothing stored)');
    assert.equal(parseCapsFile(readFileSync(file, 'utf8'), file).scopes.size, 0);
    assert.ok(readFileSync(file, 'utf8').startsWith(CAPS.slice(0, CAPS.indexOf('scopes:'))));
  });

  it('refuses a malformed scope and an unknown capability with exit status 1, writing nothing', async (t) => {
    const file = capsFileWith(t, CAPS);
    for (const scope of ['shop:..', 'shop', 'shop:a/', 'shop:%2F']) {
      const run = await cli(['grant', 'bob@example.com', 'read', '--scope', scope, '--caps', file]);
      assert.equal(run.status, 1, scope);
      assert.match(run.err, /SCOPE_INVALID|scope/);
    }
    assert.equal((await cli(['grant', 'bob@example.com', 'fly', '--scope', 'shop:lyon', '--caps', file])).status, 1);
    assert.equal(readFileSync(file, 'utf8'), CAPS);
  });

  it('lists the scoped grants with the accounts, and under one scope', async (t) => {
    const file = capsFileWith(t, `${CAPS}  shop:paris/oven:2:\n    carol@example.com: [read]\n  shop:lyon:\n    bob@example.com: [read]\n`);
    const all = await cli(['list', '--caps', file]);
    assert.equal(all.out, ['alice@example.com: admin', 'at shop:lyon:', '  bob@example.com: read', 'at shop:paris:', '  bob@example.com: bake', 'at shop:paris/oven:2:', '  carol@example.com: read'].join('\n'));
    assert.deepEqual(JSON.parse((await cli(['list', '--caps', file, '--json', '--scope', 'shop:paris'])).out), {
      scope: 'shop:paris',
      scopes: { 'shop:paris': { 'bob@example.com': ['bake'] }, 'shop:paris/oven:2': { 'carol@example.com': ['read'] } },
    });
    const bob = await cli(['list', 'bob@example.com', '--caps', file]);
    assert.equal(bob.out, 'bob@example.com: (nothing stored)\n  effective: (none)\n  at shop:lyon: read\n  at shop:paris: bake');
    const carol = JSON.parse((await cli(['list', 'carol@example.com', '--scope', 'shop:paris/oven:2', '--json', '--caps', file])).out) as unknown;
    assert.deepEqual(carol, {
      email: 'carol@example.com',
      capabilities: [],
      effective: [],
      scopes: { 'shop:paris/oven:2': ['read'] },
      scope: 'shop:paris/oven:2',
      effective_at_scope: ['read'],
    });
  });

  it('documents --scope in the help of grant, revoke and list', async () => {
    for (const command of ['grant', 'revoke', 'list']) assert.match((await cli([command, '--help'])).out, /--scope S/);
  });
});

