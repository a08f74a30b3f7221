import 'reflect-metadata';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Controller, Get, type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { ApiKeyService, AuthModule, RequireCapability } from '../../src';
import { CLOCK } from '../../src/testing';
import { BearerTokens } from '../../src/tokens/bearer-tokens';

const CAPS = 'capabilities:\n  read: []\n  write: [read]\nauto_admin: true\ndefault: []\nguest: []\nusers:\n  alice@example.com: [admin]\n';
const START_MS = Date.UTC(2026, 0, 1, 12);

@Controller('notes')
class NotesController {
  @Get()
  @RequireCapability('write')
  list(): string[] {
    return ['a note'];
  }
}

describe('the module clock decides expiry', () => {
  let app: INestApplication;
  let folder: string;
  let nowMs = START_MS;

  before(async () => {
    folder = mkdtempSync(join(tmpdir(), 'caps-clock-'));
    const capsFile = join(folder, 'caps.yaml');
    writeFileSync(capsFile, CAPS);
    const moduleRef = await Test.createTestingModule({
      imports: [AuthModule.forRoot({ secret: 'clock-secret-0123456789abcdefghijklmnopqrstuvwxyz', baseUrl: 'http://127.0.0.1', capsFile, userTokenTtlSeconds: 3600 })],
      controllers: [NotesController],
    })
      .overrideProvider(CLOCK)
      .useValue(() => nowMs)
      .compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.init();
  });
  const notesWith = (credential: string): request.Test => request(app.getHttpServer() as Server).get('/notes').set('authorization', `Bearer ${credential}`);

  after(async () => {
    await app.close();
    rmSync(folder, { recursive: true, force: true });
  });

  it('accepts a user token until its last second and refuses it with TOKEN_EXPIRED from then on', async () => {
    nowMs = START_MS;
    const { token } = app.get(BearerTokens).issueUserToken('alice@example.com');
    nowMs = START_MS + 3599_000;
    assert.equal((await notesWith(token)).status, 200);
    nowMs = START_MS + 3600_000;
    const expired = await notesWith(token);
    assert.equal(expired.status, 401);
    assert.equal((expired.body as { code: string }).code, 'TOKEN_EXPIRED');
  });

  it('accepts an API key until its last second and refuses it with TOKEN_EXPIRED from then on', async () => {
    nowMs = START_MS;
    const alice = { email: 'alice@example.com', kind: 'user', via: 'session' } as const;
    const { key, record } = await app.get(ApiKeyService).create(alice, { name: 'deploy', capabilities: ['write'], expiresIn: 600 });
    assert.equal(record.expiresAt, START_MS / 1000 + 600);
    nowMs = START_MS + 599_000;
    assert.equal((await notesWith(key)).status, 200);
    nowMs = START_MS + 600_000;
    const expired = await notesWith(key);
    assert.equal(expired.status, 401);
    assert.equal((expired.body as { code: string }).code, 'TOKEN_EXPIRED');
  });
});
