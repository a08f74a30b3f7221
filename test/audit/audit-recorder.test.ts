import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AuditEntry, AuditLog, AuditQuery, AuditShelf } from '../../src/audit/audit-log';
import { AuditRecorder } from '../../src/audit/audit-recorder';
import type { Principal } from '../../src/capabilities/principal';
import { GrantError } from '../../src/errors';

/** Keeps what it is given, with the shelf it was given for. */
class ShelvedLog implements AuditLog {
  readonly appended: { detail: string; outcome: string; shelf: AuditShelf | undefined }[] = [];

  async append(entry: AuditEntry, shelf?: AuditShelf): Promise<void> {
    this.appended.push({ detail: entry.detail, outcome: entry.outcome, shelf });
  }

  async recent(_query: AuditQuery): Promise<AuditEntry[]> {
    return [];
  }

  async close(): Promise<void> {}
}

const manager: Principal = { email: 'lead@example.com', kind: 'user', via: 'session' };
const outsider: Principal = { email: 'bob@example.com', kind: 'user', via: 'token' };
const forbidden = (): Promise<never> => Promise.reject(new GrantError('GRANT_FORBIDDEN', 'arrest', 'you may not grant "arrest"'));

describe('AuditRecorder', () => {
  it("puts the refusals of principals who manage nobody on the outsiders' shelf, everything else on the trail", async () => {
    const log = new ShelvedLog();
    const audit = new AuditRecorder(log, 'test:1', (message) => assert.fail(message), Date.now, (principal) => principal.email === manager.email);
    await audit.record(manager, 'add', 'bob@example.com', 'add bake', () => Promise.resolve(), () => 'added bake');
    await assert.rejects(audit.record(manager, 'add', 'bob@example.com', 'add arrest', forbidden, () => ''), { code: 'GRANT_FORBIDDEN' });
    await assert.rejects(audit.record(outsider, 'add', 'bob@example.com', 'add arrest', forbidden, () => ''), { code: 'GRANT_FORBIDDEN' });
    await audit.record(outsider, 'revoke', 'bob@example.com', 'revoke token t1', () => Promise.resolve(), () => 'revoked token t1');
    await assert.rejects(audit.record('cli:ops', 'add', 'bob@example.com', 'add arrest', forbidden, () => ''), { code: 'GRANT_FORBIDDEN' });
    assert.deepEqual(
      log.appended.map(({ outcome, shelf }) => [outcome, shelf]),
      [
        ['ok', 'trail'],
        ['refused', 'trail'],
        ['refused', 'outsiders'],
        ['ok', 'trail'],
        ['refused', 'trail'],
      ],
    );
  });
});
