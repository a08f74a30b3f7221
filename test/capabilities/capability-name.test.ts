import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CapabilitiesError, InvalidInputError } from '../../src/errors';
import {
  assertCapabilityName,
  capabilityNameProblem,
  describeType,
  MAX_CAPABILITY_NAME_LENGTH,
} from '../../src/capabilities/capability-name';
import { thrown } from './fixtures';

const NOT_ALLOWED = (name: string): string =>
  `invalid capability name ${JSON.stringify(name)}: use letters, digits and _ . : - only`;
const RESERVED = (name: string): string => `invalid capability name ${JSON.stringify(name)}: reserved word`;

function assertRefused(value: unknown, message: string): void {
  assert.equal(capabilityNameProblem(value), message);
  const error = thrown(() => assertCapabilityName(value));
  assert.ok(error instanceof InvalidInputError, 'an InvalidInputError');
  assert.ok(error instanceof CapabilitiesError);
  assert.deepEqual({ code: error.code, message: error.message, field: error.field }, {
    code: 'INVALID_CAPABILITY_NAME',
    message,
    field: 'capability',
  });
}

describe('capability names', () => {
  it('accepts letters, digits and _ . : - after a letter or digit', () => {
    for (const name of ['read', 'Read', 'user_management', 'repo:write', 'v2.deploy', 'a-b', '7', 'x'.repeat(64)]) {
      assert.equal(capabilityNameProblem(name), undefined, name);
      assert.equal(assertCapabilityName(name), name);
    }
  });

  it('rejects a value that is not a string, describing it', () => {
    assertRefused(1, 'a capability name must be a string, got number');
    assertRefused(null, 'a capability name must be a string, got null');
    assertRefused(undefined, 'a capability name must be a string, got undefined');
    assertRefused(true, 'a capability name must be a string, got boolean');
    assertRefused(['read'], 'a capability name must be a string, got a list');
    assertRefused({ name: 'read' }, 'a capability name must be a string, got a mapping');
  });

  it('rejects an empty name', () => {
    assertRefused('', 'a capability name must not be empty');
  });

  it('rejects a name longer than the maximum', () => {
    assert.equal(MAX_CAPABILITY_NAME_LENGTH, 64);
    assertRefused('x'.repeat(65), 'a capability name must be at most 64 characters');
  });

  it('rejects __proto__, which does not start with a letter or digit', () => {
    assertRefused('__proto__', NOT_ALLOWED('__proto__'));
  });

  it('rejects names inherited from Object.prototype as reserved words', () => {
    for (const name of ['constructor', 'toString', 'valueOf', 'hasOwnProperty', 'isPrototypeOf', 'propertyIsEnumerable', 'toLocaleString']) {
      assertRefused(name, RESERVED(name));
    }
  });

  it('accepts a reserved word in another case, which reaches no prototype', () => {
    assert.equal(capabilityNameProblem('Constructor'), undefined);
  });

  it('rejects spaces, slashes, leading punctuation and non-ASCII letters', () => {
    for (const name of ['read all', 'read/write', '_read', '-read', '.read', ':read', 'lire\u00e9', 'read\n', 'read\u200b']) {
      assertRefused(name, NOT_ALLOWED(name));
    }
  });

  it('names the field it is given', () => {
    const error = thrown(() => assertCapabilityName('', 'capabilities[2]'));
    assert.ok(error instanceof InvalidInputError);
    assert.equal(error.field, 'capabilities[2]');
    assert.equal(error.message, 'a capability name must not be empty');
  });
});

describe('describeType', () => {
  it('calls lists, mappings and null by their YAML names, and the rest by typeof', () => {
    assert.equal(describeType(null), 'null');
    assert.equal(describeType([]), 'a list');
    assert.equal(describeType({}), 'a mapping');
    assert.equal(describeType('x'), 'string');
    assert.equal(describeType(1), 'number');
    assert.equal(describeType(undefined), 'undefined');
  });
});
