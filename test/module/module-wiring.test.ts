import 'reflect-metadata';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Controller, Get, Injectable, Module, UseGuards, type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { AuthModule, CapabilityGuard, CapsFileError, ConfigError, RequireCapability, type AuthModuleOptions } from '../../src';
import { expectDenial } from '../support/denial';

const CAPS = 'capabilities:\n  read: []\n  write: [read]\n  user_management: []\nauto_admin: true\ndefault: []\nguest: [read]\nusers:\n  alice@example.com: [write]\n';
const SECRET = 'wiring-secret-0123456789abcdefghijklmnopqrstuvwxyz';

@Controller('notes')
@RequireCapability('write')
class NotesController {
  @Get()
  list(): string[] {
    return ['a note'];
  }

  @Get('public')
  @RequireCapability('read')
  readable(): string {
    return 'readable';
  }
}

@Controller('guarded')
@UseGuards(CapabilityGuard)
@RequireCapability('write')
class GuardedController {
  @Get()
  get(): string {
    return 'guarded';
  }
}

@Controller('plain')
class PlainController {
  @Get()
  get(): string {
    return 'plain';
  }
}

@Injectable()
class SettingsSource {
  constructor(readonly capsFile: string) {}
}

function capsFolder(): { file: string; remove: () => void } {
  const folder = mkdtempSync(join(tmpdir(), 'caps-wiring-'));
  const file = join(folder, 'caps.yaml');
  writeFileSync(file, CAPS);
  return { file, remove: () => rmSync(folder, { recursive: true, force: true }) };
}

async function appWith(imports: unknown[], controllers: unknown[]): Promise<INestApplication> {
  const moduleRef = await Test.createTestingModule({ imports: imports as never[], controllers: controllers as never[] }).compile();
  const app = moduleRef.createNestApplication({ logger: false });
  await app.init();
  return app;
}

const options = (capsFile: string): AuthModuleOptions => ({ secret: SECRET, baseUrl: 'http://127.0.0.1', capsFile, devLogin: true });

describe('AuthModule.forRoot with the global guard and a prefix', () => {
  let app: INestApplication;
  let caps: ReturnType<typeof capsFolder>;
  before(async () => {
    caps = capsFolder();
    app = await appWith([AuthModule.forRoot({ ...options(caps.file), prefix: '/auth' })], [NotesController]);
  });
  after(async () => {
    await app.close();
    caps.remove();
  });

  it('serves the module\'s routes under the prefix only', async () => {
    assert.equal((await request(app.getHttpServer() as Server).get('/auth/whoami')).status, 200);
    assert.equal((await request(app.getHttpServer() as Server).get('/whoami')).status, 404);
  });

  it('guards every controller of the application', async () => {
    expectDenial(await request(app.getHttpServer() as Server).get('/notes'), 401, 'SIGN_IN_REQUIRED');
    assert.equal((await request(app.getHttpServer() as Server).get('/notes/public')).status, 200, 'the handler\'s requirement replaces the class\'s');
  });

  it('sends the login redirect to the prefixed login page', async () => {
    const reply = await request(app.getHttpServer() as Server).get('/auth/login?redirect=/notes');
    assert.equal(reply.status, 302);
    assert.equal(reply.headers['location'], '/auth/login/dev?redirect=%2Fnotes');
  });
});

describe('AuthModule.forRootAsync with the guard per controller', () => {
  let app: INestApplication;
  let caps: ReturnType<typeof capsFolder>;

  @Module({ providers: [{ provide: SettingsSource, useFactory: () => new SettingsSource(caps.file) }], exports: [SettingsSource] })
  class SettingsModule {}

  before(async () => {
    caps = capsFolder();
    app = await appWith(
      [
        AuthModule.forRootAsync({
          imports: [SettingsModule],
          inject: [SettingsSource],
          useFactory: async (settings: SettingsSource) => options(settings.capsFile),
          globalGuard: false,
        }),
      ],
      [PlainController, GuardedController],
    );
  });
  after(async () => {
    await app.close();
    caps.remove();
  });

  it('enforces capabilities where the guard is applied', async () => {
    const reply = await request(app.getHttpServer() as Server).get('/guarded');
    assert.equal(reply.status, 401);
    assert.deepEqual(reply.body, { statusCode: 401, message: 'sign-in required: this route needs capability "write"', code: 'SIGN_IN_REQUIRED' });
  });

  it('leaves controllers without the guard alone when it is not global', async () => {
    assert.equal((await request(app.getHttpServer() as Server).get('/plain')).status, 200);
  });

  it('serves the module\'s routes without a prefix', async () => {
    const reply = await request(app.getHttpServer() as Server).get('/whoami');
    assert.deepEqual(reply.body, { user: null, capabilities: ['read'], scopes: {} });
  });
});

describe('AuthModule refuses to start half-configured', () => {
  it('refuses a route that requires a capability the graph does not define', async () => {
    @Controller('typo')
    class TypoController {
      @Get()
      @RequireCapability('wirte')
      get(): string {
        return 'never';
      }
    }
    const caps = capsFolder();
    try {
      await assert.rejects(appWith([AuthModule.forRoot(options(caps.file))], [TypoController]), (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        assert.equal(error.message, '@RequireCapability names capabilities the graph does not define: "wirte" on TypoController.get');
        return true;
      });
    } finally {
      caps.remove();
    }
  });

  it('refuses a broken caps.yaml, naming the file and the line', async () => {
    const caps = capsFolder();
    writeFileSync(caps.file, 'capabilities:\n  read: [write]\n  write: [read]\n');
    try {
      await assert.rejects(appWith([AuthModule.forRoot(options(caps.file))], []), (error: unknown) => {
        assert.ok(error instanceof CapsFileError);
        assert.equal(error.code, 'CAPS_CYCLE');
        assert.equal(error.file, caps.file);
        assert.equal(error.line, 2);
        return true;
      });
    } finally {
      caps.remove();
    }
  });

  it('refuses the development sign-in in production', async () => {
    const caps = capsFolder();
    try {
      await assert.rejects(appWith([AuthModule.forRoot({ ...options(caps.file), production: true })], []), {
        message: 'the development sign-in cannot be enabled in production (NODE_ENV=production)',
      });
    } finally {
      caps.remove();
    }
  });

  it('refuses a decorator without capabilities or with an invalid name at once', () => {
    assert.throws(() => RequireCapability(), { message: '@RequireCapability needs at least one capability' });
    assert.throws(() => RequireCapability('no spaces'), { code: 'INVALID_CAPABILITY_NAME' });
  });
});
