import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidInputError } from '../../src/errors';
import { assertScope, isScopeId, isWithinScope, scopeAndAncestors, scopeProblem } from '../../src/capabilities/scope';
import { thrown } from './fixtures';

describe('scope paths', () => {
  it('accepts one to eight type:id segments', () => {
    for (const scope of ['shop:paris', 'org:acme/project:42', 'a:b', 'doc:A.b_c~d-9', `t:${'x'.repeat(128)}`, Array.from({ length: 8 }, (_, i) => `l${i}:v`).join('/')]) {
      assert.equal(assertScope(scope), scope);
    }
  });

  it('refuses with SCOPE_INVALID what could name another scope or is not a path', () => {
    const refused = ['', 'shop', 'shop:', ':paris', 'shop:..', 'shop:.', 'shop:a/b', 'shop:a%2Fb', 'shop:a/', '/shop:a', 'Shop:a', 'shop:pâris', 'shop:a b', `t:${'x'.repeat(129)}`, `${'t'.repeat(33)}:a`, Array.from({ length: 9 }, (_, i) => `l${i}:v`).join('/'), 'shop:a//oven:1'];
    for (const scope of refused) {
      const error = thrown(() => assertScope(scope, 'scope'));
      assert.ok(error instanceof InvalidInputError, scope);
      assert.equal(error.code, 'SCOPE_INVALID', scope);
      assert.equal(error.field, 'scope');
    }
    assert.match(scopeProblem(12) ?? '', /string/);
  });

  it('tells ids that may fill a placeholder', () => {
    assert.equal(isScopeId('paris'), true);
    for (const id of ['', '.', '..', 'a/b', 'a%2Fb', 'é', 'a:b']) assert.equal(isScopeId(id), false, id);
  });

  it('places a scope under its ancestors only', () => {
    assert.equal(isWithinScope('org:acme/project:42', 'org:acme'), true);
    assert.equal(isWithinScope('org:acme', 'org:acme'), true);
    assert.equal(isWithinScope('org:acme2', 'org:acme'), false);
    assert.equal(isWithinScope('org:acme', 'org:acme/project:42'), false);
    assert.deepEqual(scopeAndAncestors('a:1/b:2/c:3'), ['a:1', 'a:1/b:2', 'a:1/b:2/c:3']);
  });
});
