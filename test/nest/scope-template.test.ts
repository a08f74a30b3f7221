import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidInputError } from '../../src/errors';
import { compileScopeTemplate, fillScopeTemplate } from '../../src/nest/scope-template';
import { RequireCapability } from '../../src';

describe('scope templates', () => {
  it('reads the literal text around each placeholder once', () => {
    assert.deepEqual({ ...compileScopeTemplate('shop:{shop}/oven:{oven}') }, { source: 'shop:{shop}/oven:{oven}', parts: ['shop:', '/oven:', ''], names: ['shop', 'oven'] });
    assert.deepEqual({ ...compileScopeTemplate('org:acme/project:{id}/doc:readme') }, { source: 'org:acme/project:{id}/doc:readme', parts: ['org:acme/project:', '/doc:readme'], names: ['id'] });
    assert.deepEqual({ ...compileScopeTemplate('org:acme') }, { source: 'org:acme', parts: ['org:acme'], names: [] });
  });

  for (const template of ['', 'shop', '{shop}', 'Shop:{shop}', 'shop:{1shop}', 'shop:{}', 'shop:{shop}x', 'shop:..', 'shop:{shop}/', 'shop:{a}/'.repeat(8) + 'x:{b}', 'shop:pä']) {
    it(`refuses the template ${JSON.stringify(template)} when the decorator runs`, () => {
      assert.throws(() => compileScopeTemplate(template), TypeError);
      assert.throws(() => RequireCapability('read', { scope: template }), TypeError);
    });
  }

  it('fills placeholders with valid ids only', () => {
    const template = compileScopeTemplate('shop:{shop}/oven:{oven}');
    assert.equal(fillScopeTemplate(template, { shop: 'paris', oven: '2' }, 'http'), 'shop:paris/oven:2');
    for (const values of [{ shop: '..', oven: '2' }, { shop: 'paris/x:y', oven: '2' }, { shop: '', oven: '2' }, { shop: 'paris' }, { shop: 'paris', oven: 2 }, { shop: 'a'.repeat(129), oven: '1' }, null, 'paris']) {
      assert.throws(
        () => fillScopeTemplate(template, values, 'http'),
        (error: unknown) => error instanceof InvalidInputError && error.code === 'SCOPE_INVALID' && /route parameter "(shop|oven)" of scope "shop:\{shop\}\/oven:\{oven\}"/.test(error.message),
        JSON.stringify(values),
      );
    }
  });

  it('takes a placeholder from the object\'s own fields, never from its prototype', () => {
    const template = compileScopeTemplate('shop:{constructor}');
    assert.throws(() => fillScopeTemplate(template, {}, 'argument'), { code: 'SCOPE_INVALID' });
  });
});
