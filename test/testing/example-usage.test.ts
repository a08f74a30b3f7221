// How an application tests its own routes with `nest-capabilities/testing`: this file
// imports only what a module user can import ('nest-capabilities' is ../../src here).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Body, Controller, Get, Module, Post, type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { createServer } from 'node:net';
import { AuthModule, CurrentUser, RequireCapability, type Principal } from '../../src';
import { createTestAuth, OAuthMock, type TestAuth } from '../../src/testing';
import { expectDenial } from '../support/denial';

const CAPS = `capabilities:
  payroll_view: []
  payroll_edit: [payroll_view]
  user_management: []
auto_admin: true
default: []
users:
  boss@example.com: [admin]
  accountant@example.com: [payroll_edit]
  payroll@service: [payroll_view]
`;

@Controller('payroll')
@RequireCapability('payroll_view')
class PayrollController {
  @Get()
  view(@CurrentUser() user: Principal) {
    return { viewer: user.email, total: 1234 };
  }

  @Post('raise')
  @RequireCapability('payroll_edit')
  raise(@Body() body: { amount: number }) {
    return { raised: body.amount };
  }
}

describe('testing an app with nest-capabilities/testing', () => {
  const folder = mkdtempSync(join(tmpdir(), 'payroll-app-'));
  let app: INestApplication;
  let auth: TestAuth;
  let mock: OAuthMock;
  let port: number;

  before(async () => {
    writeFileSync(join(folder, 'caps.yaml'), CAPS);
    mock = await OAuthMock.start({ email: 'accountant@example.com' });
    port = await freePort();
    @Module({
      imports: [
        AuthModule.forRoot({
          secret: 'a-test-secret-that-is-long-enough-0123456789',
          baseUrl: `http://127.0.0.1:${port}`,
          capsFile: join(folder, 'caps.yaml'),
          providers: [mock.providerOptions()],
        }),
      ],
      controllers: [PayrollController],
    })
    class PayrollAppModule {}
    const moduleRef = await Test.createTestingModule({ imports: [PayrollAppModule] }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.init();
    auth = createTestAuth(app);
  });

  after(async () => {
    await app.close();
    await mock.close();
    rmSync(folder, { recursive: true, force: true });
  });

  it('answers 401 to a guest, 403 to a user without the capability, 200 to those with it', async () => {
    expectDenial(await auth.asGuest().get('/payroll'), 401, 'SIGN_IN_REQUIRED');
    expectDenial(await (await auth.as('simple.user@example.com')).get('/payroll'), 403, 'CAPABILITY_MISSING');
    const reply = await (await auth.as('accountant@example.com')).get('/payroll').expect(200);
    assert.deepEqual(reply.body, { viewer: 'accountant@example.com', total: 1234 });
    await (await auth.as('boss@example.com')).get('/payroll').expect(200);
  });

  it('names the missing capability in the 403', async () => {
    const reply = await (await auth.as('simple.user@example.com')).get('/payroll').expect(403);
    assert.deepEqual(reply.body, { statusCode: 403, message: 'missing capability "payroll_view"', code: 'CAPABILITY_MISSING' });
  });

  it('signs a session in for state-changing requests too', async () => {
    const reply = await (await auth.as('accountant@example.com')).post('/payroll/raise').send({ amount: 10 }).expect(201);
    assert.deepEqual(reply.body, { raised: 10 });
  });

  it('authenticates a script with a user token, and a bot with a service token', async () => {
    await (await auth.as('accountant@example.com', { via: 'token' })).get('/payroll').expect(200);
    const bot = await auth.asService('payroll@service');
    await bot.get('/payroll').expect(200);
    expectDenial(await bot.post('/payroll/raise').send({ amount: 10 }), 403, 'CAPABILITY_MISSING');
  });

  it('refuses to sign a service account in as a person', async () => {
    await assert.rejects(auth.as('payroll@service'), /service account/);
  });

  it('signs in through the mock OpenID Connect provider as the email it is set to', async () => {
    mock.setEmail('boss@example.com');
    const server = app.getHttpServer() as Server;
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${port}`;
    const cookies = new Map<string, string>();
    let url = `${base}/login/mock?redirect=%2Fpayroll`;
    for (let hop = 0; hop < 5 && !url.endsWith('/payroll'); hop++) {
      const cookie = [...cookies].map(([name, value]) => `${name}=${value}`).join('; ');
      const reply = await fetch(url, { redirect: 'manual', headers: url.startsWith(base) && cookie !== '' ? { cookie } : {}, signal: AbortSignal.timeout(10_000) });
      for (const line of reply.headers.getSetCookie()) {
        const [pair = ''] = line.split(';');
        cookies.set(pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1));
      }
      assert.equal(reply.status, 302, `${url}: ${await reply.text()}`);
      url = new URL(reply.headers.get('location') ?? '', url).toString();
    }
    assert.equal(url, `${base}/payroll`);
    const whoami = await fetch(`${base}/whoami`, { headers: { cookie: [...cookies].map(([name, value]) => `${name}=${value}`).join('; ') } });
    assert.equal(((await whoami.json()) as { user: unknown }).user, 'boss@example.com');
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}
