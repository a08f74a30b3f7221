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
import { CAPABILITY_STORE } from '../../src/nest/auth.constants';
import type { CapabilityStore } from '../../src/stores/capability-store';
import { BearerTokens } from '../../src/tokens/bearer-tokens';

const CAPS = 'capabilities:\n  read: []\n  bake: [read]\nauto_admin: false\ndefault: []\nguest: []\nusers:\n  baker@example.com: [bake]\n';
const SCOPES = 'scopes:\n  shop:paris:\n    pierre@example.com: [bake]\n';
const SECRET = 'subscription-secret-0123456789abcdefghijklmnopqrstuvwxyz';

// Handlers as the guard sees them; no resolver is registered, so the start-up audit has nothing to read.
class Subscriptions {
  @RequireCapability('bake')
  baked(this: void): void {}

  @Public()
  news(this: void): void {}

  @RequireCapability('bake', { scope: 'shop:{shop}' })
  bakedAt(this: void): void {}
}

describe('the guard at the start of a subscription', () => {
  let folder: string;
  let app: INestApplication;
  let guard: CapabilityGuard;
  let tokens: BearerTokens;

  before(async () => {
    folder = mkdtempSync(join(tmpdir(), 'caps-subscription-guard-'));
    writeFileSync(join(folder, 'caps.yaml'), CAPS + SCOPES);
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
  function subscribeCall(handler: () => void, token: string, args: object = {}): { context: ExecutionContextHost; info: object } {
    const connection = { extra: { request: { headers: {}, url: '/graphql' } }, connectionParams: { authorization: `Bearer ${token}` } };
    rememberGraphQlWsConnection(connection);
    const info = { operation: { operation: 'subscription' }, path: { prev: undefined, key: handler.name } };
    const context = new ExecutionContextHost([{}, args, { req: connection }, info], Subscriptions, handler);
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

  it('judges a scoped subscription at the scope of its own arguments, at its start and at every event', async () => {
    const token = tokens.issueUserToken('pierre@example.com').token;
    const lyon = subscribeCall(Subscriptions.prototype.bakedAt, token, { shop: 'lyon' });
    expectEventCheck(lyon.info);
    assert.throws(() => guard.canActivate(lyon.context), { code: 'CAPABILITY_MISSING', scope: 'shop:lyon' });
    const dots = subscribeCall(Subscriptions.prototype.bakedAt, token, { shop: '..' });
    expectEventCheck(dots.info);
    assert.throws(() => guard.canActivate(dots.context), { code: 'SCOPE_INVALID' });

    const paris = subscribeCall(Subscriptions.prototype.bakedAt, token, { shop: 'paris' });
    expectEventCheck(paris.info);
    assert.equal(guard.canActivate(paris.context), true);
    const check = eventCheckOf(paris.info);
    assert.ok(check !== undefined);
    await check();
    // The grant at shop:paris is removed by hand; the next event is refused at that scope.
    const store = app.get<CapabilityStore>(CAPABILITY_STORE);
    writeFileSync(join(folder, 'caps.yaml'), CAPS);
    await until(() => store.current().storedAt('pierre@example.com', 'shop:paris').length === 0, 'the hand edit to be read');
    await assert.rejects(async () => check(), { code: 'CAPABILITY_MISSING', scope: 'shop:paris' });
  });
});

/** Resolves once `condition` holds, checking every 20 ms; fails after 10 s naming `what`. */
async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
