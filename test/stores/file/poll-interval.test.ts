import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { ConfigError } from '../../../src/errors';
import { FileApiKeyStore } from '../../../src/stores/file/file-api-key.store';
import { FileRevocationStore } from '../../../src/stores/file/file-revocation.store';
import { YamlFileStore } from '../../../src/stores/file/yaml-file.store';
import { MINIMAL_CAPS } from '../../fixtures/caps-texts';
import { capsFileWith, tempFolder } from '../../fixtures/temp-folder';

/** A poll interval past what a Node timer holds: Node would fire such a timer every millisecond. */
const LONGER_THAN_A_TIMER_MS = 2 ** 31;

const OPENERS = {
  'the YAML file store': (file: string, pollIntervalMs: number) => YamlFileStore.open(file, { pollIntervalMs }),
  'the revocation file store': (file: string, pollIntervalMs: number) => FileRevocationStore.open(`${file}.revoked.json`, { pollIntervalMs }),
  'the API key file store': (file: string, pollIntervalMs: number) => FileApiKeyStore.open(`${file}.keys.json`, { pollIntervalMs }),
};

describe('the poll interval of the file stores', () => {
  for (const [name, open] of Object.entries(OPENERS)) {
    it(`${name} takes an interval longer than a timer holds as "as rarely as possible", not as every millisecond`, async (t) => {
      const warnings: string[] = [];
      const onWarning = (warning: Error): void => void warnings.push(warning.name);
      process.on('warning', onWarning);
      t.after(() => process.off('warning', onWarning));
      const store = await open(capsFileWith(t, MINIMAL_CAPS), LONGER_THAN_A_TIMER_MS);
      await store.close();
      await nextTurn();
      assert.deepEqual(warnings.filter((warning) => warning === 'TimeoutOverflowWarning'), []);
    });

    it(`${name} refuses an interval that is not a positive number of milliseconds`, async (t) => {
      const file = join(tempFolder(t), 'caps.yaml');
      for (const interval of [0, -5, Number.NaN, Number.POSITIVE_INFINITY]) {
        await assert.rejects(open(file, interval), (error: unknown) => {
          assert.ok(error instanceof ConfigError, String(error));
          assert.equal(error.code, 'CONFIG_INVALID');
          assert.equal(error.message, `pollIntervalMs must be a positive number of milliseconds, got ${interval}`);
          return true;
        });
      }
    });
  }
});
