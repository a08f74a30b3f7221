import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseCapsFile } from '../../src/caps-file/caps-file';
import { openBackend } from '../../src/stores/backend';
import { capsFileWith } from '../fixtures/temp-folder';
import { CONTRACT_CAPS, backendContract, type BackendFactory } from './backend-contract';
import { MemoryRevocationStore } from '../../src/tokens/revocation-store';
import { scopedStoreContract } from './scoped-store-contract';
import { chmodSync, readFileSync, statSync } from 'node:fs';
import { generateClientId, generateClientSecret, hashClientSecret } from '../../src/clients/client';
import { clientFileFor } from '../../src/stores/file/file-client.store';

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

  it('keeps OAuth clients in a file beside caps.yaml, with its mode, and never the secret', async (t) => {
    const capsFile = capsFileWith(t, CONTRACT_CAPS);
    chmodSync(capsFile, 0o640);
    const backend = await openBackend({ kind: 'file', capsFile });
    t.after(() => backend.close());
    const secret = generateClientSecret();
    const clientId = generateClientId();
    await backend.clients.create({ clientId, account: 'bot@service', name: '', hash: hashClientSecret(secret), createdBy: 'alice@example.com', createdAt: 1, revokedAt: null });
    const file = clientFileFor(capsFile);
    assert.equal(statSync(file).mode & 0o777, 0o640);
    const text = readFileSync(file, 'utf8');
    assert.ok(text.includes(clientId) && text.includes(hashClientSecret(secret)) && !text.includes(secret.slice(4)));
  });

  it('refuses a memory backend with neither a policy nor a capability store', async () => {
    await assert.rejects(openBackend({ kind: 'memory' }), { code: 'CONFIG_INVALID' });
  });
});
