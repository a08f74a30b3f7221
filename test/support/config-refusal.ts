import assert from 'node:assert/strict';
import { ConfigError } from '../../src/errors';

/** The ConfigError (code CONFIG_INVALID) `run` throws; fails the test if it throws nothing or anything else. */
export function configRefusal(run: () => unknown): ConfigError {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof ConfigError, String(error));
    assert.equal(error.code, 'CONFIG_INVALID');
    return error;
  }
  assert.fail('expected a ConfigError');
}
