import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { API_KEY_STORE, AuditRecorder, AuthModule, CAPABILITY_STORE, ConfigError, MemoryRevocationStore, REVOCATION_STORE, type AuthModuleOptions } from '../../src';
import { parseCapsFile } from '../../src/caps-file/caps-file';
import { openBackend, type Backend } from '../../src/stores/backend';

const CAPS = 'capabilities:\n  read: []\n  write: [read]\nauto_admin: true\nusers:\n  alice@example.com: [admin]\n';
const SECRET = 'backend-secret-0123456789abcdefghijklmnopqrstuvwxyz';

function memoryBackend(): Promise<Backend> {
  return openBackend({ kind: 'memory', policy: parseCapsFile(CAPS, 'caps.yaml') });
}

async function start(options: Partial<AuthModuleOptions>): Promise<INestApplication> {
  const moduleRef = await Test.createTestingModule({ imports: [AuthModule.forRoot({ secret: SECRET, baseUrl: 'http://127.0.0.1', ...options })] }).compile();
  const app = moduleRef.createNestApplication({ logger: false });
  await app.init();
  return app;
}

describe('AuthModule with a backend of the app\'s own', () => {
  it('keeps every store in it and leaves it open when the app closes', async () => {
    const backend = await memoryBackend();
    const app = await start({ backend });
    try {
      assert.equal(app.get(CAPABILITY_STORE), backend.capabilities);
      assert.equal(app.get(REVOCATION_STORE), backend.revocations);
      assert.equal(app.get(API_KEY_STORE), backend.apiKeys);
      assert.equal(app.get(AuditRecorder).log, backend.audit);
    } finally {
      await app.close();
    }
    const left = await backend.capabilities.update(() => ({ email: 'bob@example.com', capabilities: ['read'] }));
    assert.deepEqual(left.stored('bob@example.com'), ['read']);
    await backend.close();
  });

  it('refuses a backend beside the options that choose stores, naming them', async () => {
    const backend = await memoryBackend();
    await assert.rejects(start({ backend, revocationStore: new MemoryRevocationStore() }), (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.equal(error.message, 'backend cannot be combined with revocationStore: it provides every store');
      return true;
    });
    await backend.close();
  });
});
