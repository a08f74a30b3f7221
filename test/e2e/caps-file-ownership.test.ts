import assert from 'node:assert/strict';
import { chmodSync, chownSync, existsSync, statSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { revocationFileFor } from '../../src/stores/file/file-revocation.store';
import { MANAGERS_CAPS } from '../fixtures/managers-caps';
import { ADAPTERS, startExample, type RunningExample } from '../support/example-server';

// The tests run as root, so the files can belong to a user and group that are not the app's.
const OPERATOR_UID = 4321;
const OPERATOR_GID = 5432;


const ownership = (file: string): [number, number, number] => {
  const stats = statSync(file);
  return [stats.uid, stats.gid, stats.mode & 0o7777];
};

for (const adapter of ADAPTERS) {
  describe(`ownership of caps.yaml and its sidecar through API writes (${adapter})`, () => {
    let example: RunningExample;

    before(async () => {
      example = await startExample({ adapter, caps: MANAGERS_CAPS });
      chownSync(example.capsFile, OPERATOR_UID, OPERATOR_GID);
      chmodSync(example.capsFile, 0o600);
    });
    after(() => example.close());

    it("keeps the owner, group and mode of caps.yaml when the API rewrites it", async () => {
      const root = await example.signedIn('root@example.com');
      const reply = await root.post('/manage_capabilities/add', { email: 'carol@example.com', capability: 'bake' });
      assert.equal(reply.status, 200);
      assert.deepEqual(ownership(example.capsFile), [OPERATOR_UID, OPERATOR_GID, 0o600]);
    });

    it('creates the revocation file with the owner, group and mode of caps.yaml, not 0644', async () => {
      const sidecar = revocationFileFor(example.capsFile);
      assert.equal(existsSync(sidecar), false);
      const root = await example.signedIn('root@example.com');
      const token = (await root.get('/token')).json.token as string;
      assert.equal((await root.post('/token/revoke', { token })).status, 200);
      assert.deepEqual(ownership(sidecar), [OPERATOR_UID, OPERATOR_GID, 0o600]);
    });
  });
}
