import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';

// This file runs from <outDir>/test/testing; the package maps its entry points into dist/.
const compiledRoot = join(__dirname, '..', '..');
const repositoryRoot = join(compiledRoot, '..');
const manifest = JSON.parse(readFileSync(join(repositoryRoot, 'package.json'), 'utf8')) as {
  exports: Record<string, { types: string; default: string } | string>;
  bin: Record<string, string>;
};
const compiled = (path: string): string => join(compiledRoot, path.replace(/^\.?\/?dist\//, ''));

describe('package entry points', () => {
  it('maps ".", "./testing", "./openapi", "./extend" and "./graphql" to compiled files with their types', () => {
    for (const subpath of ['.', './testing', './openapi', './extend', './graphql']) {
      const entry = manifest.exports[subpath];
      assert.ok(typeof entry === 'object', `${subpath} is exported`);
      assert.ok(existsSync(compiled(entry.default)), `${entry.default} is built`);
      assert.ok(existsSync(compiled(entry.types)), `${entry.types} is built`);
    }
  });

  // What a CommonJS consumer's require() gets is the point: import() would add `default` and `__esModule`.
  const load = (subpath: string): Record<string, unknown> =>
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require(compiled((manifest.exports[subpath] as { default: string }).default)) as Record<string, unknown>;

  it('gives nest-capabilities/testing its kit', () => {
    assert.deepEqual(Object.keys(load('./testing')).sort(), ['CLOCK', 'OAuthMock', 'TEST_PROVIDER', 'createTestAuth']);
  });

  it('gives the main entry what an application uses, and none of the internals', () => {
    assert.deepEqual(Object.keys(load('.')).sort(), [
      'ADMIN_CAPABILITY',
      'API_KEY_PREFIX',
      'API_KEY_STORE',
      'AccessError',
      'ApiKeyError',
      'ApiKeyService',
      'AuditRecorder',
      'AuthModule',
      'CAPABILITY_STORE',
      'CLIENT_SECRET_PREFIX',
      'CLIENT_STORE',
      'CLOCK',
      'CapabilitiesError',
      'CapabilitiesWsFilter',
      'CapabilityGraphError',
      'CapabilityGuard',
      'CapabilityPolicy',
      'CapabilityService',
      'CapsFileError',
      'ClientError',
      'ClientService',
      'ConfigError',
      'CrossSiteRequestError',
      'CurrentUser',
      'FileApiKeyStore',
      'FileAuditLog',
      'FileClientStore',
      'FileRevocationStore',
      'GrantError',
      'InvalidInputError',
      'LoginError',
      'MemoryApiKeyStore',
      'MemoryAuditLog',
      'MemoryClientStore',
      'MemoryRevocationStore',
      'OAuthError',
      'ProviderAccessToken',
      'ProviderApiTokens',
      'Public',
      'REVOCATION_STORE',
      'RedirectToLogin',
      'RedisApiKeyStore',
      'RedisAuditLog',
      'RedisCapabilityStore',
      'RedisClientStore',
      'RedisRevocationStore',
      'RedisStores',
      'RequireCapability',
      'StoreUnavailableError',
      'TokenError',
      'YamlFileStore',
      'apiKeyFileFor',
      'auditFileFor',
      'clientFileFor',
      'readSecretFile',
      'rememberHandshake',
      'revocationFileFor',
      'secretFromEnvironment',
    ]);
  });

  it('gives nest-capabilities/extend the building blocks of custom stores and providers', () => {
    assert.deepEqual(Object.keys(load('./extend')).sort(), [
      'ApiKeyIndex',
      'BearerTokens',
      'CapabilityGraph',
      'CapabilitySet',
      'ClientIndex',
      'MemoryCapabilityStore',
      'RevocationList',
      'TOKEN_ALGORITHM',
      'TokenKeyring',
      'TokenType',
      'assertCapabilityName',
      'assertEmail',
      'assertNotRevoked',
      'canonicalizeEmail',
      'checkedChange',
      'isServiceAccount',
      'openBackend',
      'parseCapsFile',
      'writeFileAtomic',
    ]);
  });

  it('gives nest-capabilities/openapi the document builder', () => {
    const openapi = load('./openapi');
    assert.deepEqual(Object.keys(openapi).sort(), ['BEARER_SCHEME', 'MODULE_TAG', 'SESSION_SCHEME', 'createCapabilitiesDocument']);
  });

  it('gives nest-capabilities/graphql the subscription setup of both drivers', () => {
    assert.deepEqual(Object.keys(load('./graphql')).sort(), ['guardedApolloSubscriptions', 'guardedMercuriusSubscriptions']);
  });

  it('installs the nest-capabilities command from a file with a shebang', () => {
    const bin = manifest.bin['nest-capabilities'];
    assert.equal(bin, 'dist/src/cli/main.js');
    assert.ok(readFileSync(compiled(bin), 'utf8').startsWith('#!/usr/bin/env node\n'));
  });
});
