import 'reflect-metadata';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { INestApplication } from '@nestjs/common';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host';
import { Test } from '@nestjs/testing';
import { AccessError, AuthModule, CapabilityGuard, Public, RequireCapability, TokenError } from '../../src';
import { rememberGraphQlWsConnection } from '../../src/graphql/subscription-connection';
import { eventCheckOf, expectEventCheck } from '../../src/graphql/subscription-events';
import { BearerTokens } from '../../src/tokens/bearer-tokens';

const CAPS = 'capabilities:\n  read: []\n  bake: [read]\nauto_admin: false\ndefault: []\nguest: []\nusers:\n  baker@example.com: [bake]\n';
const SECRET = 'subscription-secret-0123456789abcdefghijklmnopqrstuvwxyz';

// Handlers as the guard sees them; no resolver is registered, so the start-up audit has nothing to read.
class Subscriptions {
  @RequireCapability('bake')
  baked(this: void): void {}

  @Public()
  news(this: void): void {}
}

describe('the guard at the start of a subscription', () => {
  let folder: string;
  let app: INestApplication;
  let guard: CapabilityGuard;
  let tokens: BearerTokens;

  before(async () => {
    folder = mkdtempSync(join(tmpdir(), 'caps-subscription-guard-'));
    writeFileSync(join(folder, 'caps.yaml'), CAPS);
    const moduleRef = await Test.createTestingModule({
      imports: [AuthModule.forRoot({ secret: SECRET, baseUrl: 'http://127.0.0.1', capsFile: join(folder, 'caps.yaml') })],
    }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.init();
    guard = app.get(CapabilityGuard);
    tokens = app.get(BearerTokens);
  });
  after(async () => {
    await app?.close();
    rmSync(folder, { recursive: true, force: true });
  });

  /** A subscribe call of `handler` over a graphql-ws connection opened with `token`, as Apollo's driver passes it. */
  function subscribeCall(handler: () => void, token: string): { context: ExecutionContextHost; info: object } {
    const connection = { extra: { request: { headers: {}, url: '/graphql' } }, connectionParams: { authorization: `Bearer ${token}` } };
    rememberGraphQlWsConnection(connection);
    const info = { operation: { operation: 'subscription' }, path: { prev: undefined, key: handler.name } };
    const context = new ExecutionContextHost([{}, {}, { req: connection }, info], Subscriptions, handler);
    context.setType('graphql');
    return { context, info };
  }

  it('refuses a guarded subscription whose events nothing would check (CONTEXT_UNSUPPORTED), rather than checking it once', () => {
    const { context } = subscribeCall(Subscriptions.prototype.baked, tokens.issueUserToken('baker@example.com').token);
    assert.throws(
      () => guard.canActivate(context),
      (error: unknown) => {
        assert.ok(error instanceof AccessError);
        assert.equal(error.code, 'CONTEXT_UNSUPPORTED');
        assert.match(error.message, /^Subscriptions\.baked needs capability "bake" at every event/);
        return true;
      },
    );
  });

  it('leaves the check of every event to the subscription, and it fails once the token is revoked', async () => {
    const token = tokens.issueUserToken('baker@example.com').token;
    const { context, info } = subscribeCall(Subscriptions.prototype.baked, token);
    expectEventCheck(info);
    assert.equal(guard.canActivate(context), true);
    const check = eventCheckOf(info);
    assert.ok(check !== undefined);
    await check();
    await tokens.revoke(tokens.verify(token));
    await assert.rejects(
      async () => check(),
      (error: unknown) => {
        assert.ok(error instanceof TokenError);
        assert.equal(error.code, 'TOKEN_REVOKED');
        assert.match(error.message, /needs capability "bake"/);
        return true;
      },
    );
  });

  it('asks for no event check on a public subscription', () => {
    const { context, info } = subscribeCall(Subscriptions.prototype.news, tokens.issueUserToken('baker@example.com').token);
    expectEventCheck(info);
    assert.equal(guard.canActivate(context), true);
    assert.equal(eventCheckOf(info), undefined);
  });
});
