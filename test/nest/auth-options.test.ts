import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Test } from '@nestjs/testing';
import { AuthModule, ConfigError, type AuthModuleOptions } from '../../src';
import { nearestName } from '../../src/nest/auth-options.check';
import { configRefusal } from '../support/config-refusal';

const SECRET = 'options-secret-0123456789abcdefghijklmnopqrstuvwxyz';
const valid = { secret: SECRET, baseUrl: 'http://127.0.0.1', capsFile: 'caps.yaml' };

describe('AuthModule.forRoot checks its options', () => {
  it('refuses a near miss, naming the option meant', () => {
    const error = configRefusal(() => AuthModule.forRoot({ ...valid, devlogin: true } as AuthModuleOptions));
    assert.equal(error.message, 'AuthModule.forRoot: unknown option "devlogin" (did you mean "devLogin"?)');
  });

  it('names a near miss one or two letters away', () => {
    const error = configRefusal(() => AuthModule.forRoot({ ...valid, sessionTtlSecond: 60 } as AuthModuleOptions));
    assert.equal(error.message, 'AuthModule.forRoot: unknown option "sessionTtlSecond" (did you mean "sessionTtlSeconds"?)');
  });

  it('refuses an option nothing resembles without guessing', () => {
    const error = configRefusal(() => AuthModule.forRoot({ ...valid, colour: 'blue' } as AuthModuleOptions));
    assert.equal(error.message, 'AuthModule.forRoot: unknown option "colour"');
  });

  it('refuses a wrong type with the option and the type it takes, never the value', () => {
    const error = configRefusal(() => AuthModule.forRoot({ ...valid, devLogin: 'yes' } as unknown as AuthModuleOptions));
    assert.equal(error.message, 'AuthModule.forRoot: option "devLogin" must be a boolean, got string');
    const secret = configRefusal(() => AuthModule.forRoot({ ...valid, secret: 12345678 } as unknown as AuthModuleOptions));
    assert.equal(secret.message, 'AuthModule.forRoot: option "secret" must be a string, got number');
    const ttl = configRefusal(() => AuthModule.forRoot({ ...valid, serviceTokenTtlSeconds: 'forever' } as unknown as AuthModuleOptions));
    assert.equal(ttl.message, 'AuthModule.forRoot: option "serviceTokenTtlSeconds" must be a number or \'never\', got string');
  });

  it('accepts the module shape options beside the others', () => {
    assert.doesNotThrow(() => AuthModule.forRoot({ ...valid, isGlobal: false, prefix: '/auth', globalGuard: false, serviceTokenTtlSeconds: 'never' }));
  });
});

describe('AuthModule.forRootAsync checks its options', () => {
  it('refuses a misspelt shape option beside useFactory', () => {
    const error = configRefusal(() => AuthModule.forRootAsync({ useFactory: () => valid, prefx: '/auth' } as never));
    assert.equal(error.message, 'AuthModule.forRootAsync: unknown option "prefx" (did you mean "prefix"?)');
  });

  it('stops the start-up when the factory returns an unknown option', async () => {
    const compiling = Test.createTestingModule({
      imports: [AuthModule.forRootAsync({ useFactory: () => ({ ...valid, devlogin: true }) as AuthModuleOptions })],
    }).compile();
    await assert.rejects(compiling, (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.equal(error.message, 'AuthModule options: unknown option "devlogin" (did you mean "devLogin"?)');
      return true;
    });
  });
});

describe('nearestName', () => {
  it('prefers the same letters in another case, then the fewest edits', () => {
    assert.equal(nearestName('CAPSFILE', ['capsFile', 'caps']), 'capsFile');
    assert.equal(nearestName('capsFil', ['capsFile', 'caps']), 'capsFile');
    assert.equal(nearestName('stor', ['store', 'redis']), 'store');
    assert.equal(nearestName('sto', ['store']), undefined);
  });
});
