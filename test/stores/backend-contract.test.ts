import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseCapsFile } from '../../src/capabilities/caps-file';
import { openBackend } from '../../src/stores/backend';
import { capsFileWith } from '../fixtures/temp-folder';
import { CONTRACT_CAPS, backendContract, type BackendFactory } from './backend-contract';
import { MemoryRevocationStore } from '../../src/tokens/revocation-store';
import { scopedStoreContract } from './scoped-store-contract';

const openMemory: BackendFactory = async (t, text) => {
  const backend = await openBackend({ kind: 'memory', policy: parseCapsFile(text, 'caps.yaml') });
  t.after(() => backend.close());
  return backend;
};

const openFile: BackendFactory = async (t, text) => {
  const backend = await openBackend({ kind: 'file', capsFile: capsFileWith(t, text) });
  t.after(() => backend.close());
  return backend;
};

backendContract('memory', openMemory);
backendContract('file', openFile);
scopedStoreContract('memory', openMemory);
scopedStoreContract('file', openFile);

describe('openBackend', () => {
  it('uses the stores it is given as they are and leaves them open when it closes', async (t) => {
    const revocations = new MemoryRevocationStore();
    let closes = 0;
    revocations.close = async () => void (closes += 1);
    const backend = await openBackend({ kind: 'file', capsFile: capsFileWith(t, CONTRACT_CAPS), given: { revocations } });
    assert.equal(backend.revocations, revocations);
    await backend.close();
    assert.equal(closes, 0);
    await assert.rejects(backend.capabilities.update(() => ({ email: 'bob@example.com', capabilities: [] })), { code: 'STORE_UNAVAILABLE' });
  });

  it('refuses a memory backend with neither a policy nor a capability store', async () => {
    await assert.rejects(openBackend({ kind: 'memory' }), { code: 'CONFIG_INVALID' });
  });
});
