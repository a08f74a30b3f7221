import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import * as errors from '../../src/errors';
import * as core from '../../src/capabilities/index';
import { ADMIN_CAPABILITY, CapabilityGraph } from '../../src/capabilities/capability-graph';
import { CapabilitySet } from '../../src/capabilities/capability-set';
import { assertDefined, CapabilityPolicy } from '../../src/capabilities/capability-policy';
import { assertCapabilityName, capabilityNameProblem, MAX_CAPABILITY_NAME_LENGTH } from '../../src/capabilities/capability-name';
import { assertEmail, canonicalizeEmail, isServiceAccount, MAX_EMAIL_LENGTH, SERVICE_DOMAIN } from '../../src/capabilities/email';
import { assertAdminRemains, assertCanGrant, planChange } from '../../src/capabilities/grant-rules';
import { assertWellFormedText, wellFormedTextProblem } from '../../src/capabilities/well-formed-text';

// Compiled to <outDir>/test/capabilities, so the repository root is three folders up.
const root = resolve(__dirname, '..', '..', '..');

/** Every module specifier of an import, export-from, require or dynamic import in `source`. */
function specifiers(source: string): string[] {
  const found: string[] = [];
  const patterns = [
    /\bfrom\s+['"]([^'"]+)['"]/gu,
    /\bimport\s+['"]([^'"]+)['"]/gu,
    /\brequire\(\s*['"]([^'"]+)['"]\s*\)/gu,
    /\bimport\(\s*['"]([^'"]+)['"]\s*\)/gu,
  ];
  for (const pattern of patterns) for (const match of source.matchAll(pattern)) found.push(match[1]!);
  return found;
}

describe('the capability core', () => {
  it('finds its own sources', () => {
    const files = readdirSync(join(root, 'src', 'capabilities'));
    for (const file of ['capability-graph.ts', 'capability-policy.ts', 'grant-rules.ts']) assert.ok(files.includes(file), file);
  });

  it('imports nothing but itself and ../errors: no YAML, the caps file is read in caps-file/', () => {
    const folder = join(root, 'src', 'capabilities');
    const offenders: string[] = [];
    for (const file of readdirSync(folder).filter((name) => name.endsWith('.ts'))) {
      for (const specifier of specifiers(readFileSync(join(folder, file), 'utf8'))) {
        const allowed = /^\.\/[\w.-]+$/u.test(specifier) || specifier === '../errors';
        if (!allowed) offenders.push(`${file}: ${specifier}`);
      }
    }
    assert.deepEqual(offenders, []);
  });

  it('keeps errors.ts free of imports', () => {
    assert.deepEqual(specifiers(readFileSync(join(root, 'src', 'errors.ts'), 'utf8')), []);
  });

  it('re-exports each public name of its modules from its index', () => {
    const expected: Record<string, unknown> = {
      ADMIN_CAPABILITY,
      CapabilityGraph,
      CapabilitySet,
      CapabilityPolicy,
      assertDefined,
      assertCapabilityName,
      capabilityNameProblem,
      MAX_CAPABILITY_NAME_LENGTH,
      assertEmail,
      canonicalizeEmail,
      isServiceAccount,
      MAX_EMAIL_LENGTH,
      SERVICE_DOMAIN,
      assertAdminRemains,
      assertCanGrant,
      planChange,
      assertWellFormedText,
      wellFormedTextProblem,
    };
    const exported = core as unknown as Record<string, unknown>;
    for (const [name, value] of Object.entries(expected)) assert.equal(exported[name], value, name);
  });

  it('gives every error family one base class and a stable code', () => {
    const samples = [
      new errors.CapsFileError('CAPS_CYCLE', 'capability cycle: a -> a', { file: 'caps.yaml', position: { line: 2, column: 3 }, offender: 'a' }),
      new errors.CapabilityGraphError('CAPS_UNDEFINED', 'ghost', 'capability "a" implies "ghost", which is not defined', ['a', 'ghost']),
      new errors.InvalidInputError('INVALID_EMAIL', 'email', 'an email must not be empty'),
      new errors.GrantError('LAST_ADMIN', 'admin', 'refused'),
    ];
    assert.deepEqual(
      samples.map((error) => [error.name, error.code, error instanceof errors.CapabilitiesError, error instanceof Error]),
      [
        ['CapsFileError', 'CAPS_CYCLE', true, true],
        ['CapabilityGraphError', 'CAPS_UNDEFINED', true, true],
        ['InvalidInputError', 'INVALID_EMAIL', true, true],
        ['GrantError', 'LAST_ADMIN', true, true],
      ],
    );
    assert.equal(samples[0]!.message, 'caps.yaml:2:3: capability cycle: a -> a');
  });

  it('writes a CapsFileError without a position as the file and the detail', () => {
    const error = new errors.CapsFileError('CAPS_SCHEMA', 'the file must be a mapping', { file: 'caps.yaml' });
    assert.deepEqual(
      { message: error.message, line: error.line, column: error.column, offender: error.offender, detail: error.detail },
      { message: 'caps.yaml: the file must be a mapping', line: undefined, column: undefined, offender: undefined, detail: 'the file must be a mapping' },
    );
  });
});
