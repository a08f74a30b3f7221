import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  AccountTimeline,
  answeredAsUnavailable,
  applied,
  inverse,
  lostWrite,
  refusedButApplied,
  routeBit,
  type Edit,
  type WriteRecord,
} from '../../bench/soak-checks';

function write(edit: Edit, status: number, answered: string[] | undefined, before: string[], after: string[], code?: string): WriteRecord {
  return {
    account: 'u103@example.com',
    edit,
    instance: 'C',
    sentAt: 0,
    answeredAt: 1,
    status,
    code,
    answered,
    before,
    after,
    duringCut: false,
    inverseOfPrevious: true,
  };
}

describe("the soak bench's checks", () => {
  it('counts a removal answered from an out-of-date copy as a lost write', () => {
    // set [arrest] through B answered [arrest]; remove arrest through C answered [bake]; the store still holds [arrest].
    assert.deepEqual(lostWrite(write({ kind: 'remove', capability: 'arrest' }, 200, ['bake'], ['arrest'], ['arrest'])), {
      effectMissing: true,
      listDiffers: true,
    });
  });

  it('counts a grant answered 200 and never written as a lost write', () => {
    assert.deepEqual(lostWrite(write({ kind: 'add', capability: 'arrest' }, 200, ['arrest', 'racket'], [], [])), { effectMissing: true, listDiffers: true });
  });

  it('counts a no-op answered with a list the store does not hold, though the store has what was asked', () => {
    assert.deepEqual(lostWrite(write({ kind: 'add', capability: 'arrest' }, 200, ['arrest', 'bake'], ['arrest'], ['arrest'])), {
      effectMissing: false,
      listDiffers: true,
    });
  });

  it('accepts a write the store holds as answered, in any order, a no-op included', () => {
    assert.equal(lostWrite(write({ kind: 'set', capabilities: ['racket', 'bake'] }, 200, ['racket', 'bake'], ['read'], ['bake', 'racket'])), undefined);
    assert.equal(lostWrite(write({ kind: 'remove', capability: 'bake' }, 200, ['read'], ['read'], ['read'])), undefined);
  });

  it('leaves refused writes out of the lost ones, and counts those that reached the store', () => {
    const refused = write({ kind: 'add', capability: 'bake' }, 503, undefined, ['read'], ['read'], 'STORE_UNAVAILABLE');
    assert.equal(lostWrite(refused), undefined);
    assert.equal(refusedButApplied(refused), false);
    assert.equal(refusedButApplied({ ...refused, after: ['bake', 'read'] }), true);
  });

  it('wants 503 STORE_UNAVAILABLE from the cut instance, for a no-op too', () => {
    assert.equal(answeredAsUnavailable(write({ kind: 'add', capability: 'read' }, 200, ['read'], ['read'], ['read'])), false);
    assert.equal(answeredAsUnavailable(write({ kind: 'add', capability: 'read' }, 503, undefined, ['read'], ['read'], 'CAPS_STORE_BUSY')), false);
    assert.equal(answeredAsUnavailable(write({ kind: 'add', capability: 'read' }, 503, undefined, ['read'], ['read'], 'STORE_UNAVAILABLE')), true);
  });

  it('undoes each edit with its inverse', () => {
    const before = ['bake', 'read'];
    const edits: Edit[] = [
      { kind: 'add', capability: 'arrest' },
      { kind: 'remove', capability: 'bake' },
      { kind: 'set', capabilities: ['racket'] },
    ];
    for (const edit of edits) assert.deepEqual(applied(inverse(edit, before), applied(edit, before)), before, edit.kind);
  });

  describe('a read against the states its account went through', () => {
    const bake = routeBit('bake');
    // bake granted by a write sent at 1000 and answered at 1010, removed by one sent at 1020 and answered at 1030.
    const timeline = new AccountTimeline([]);
    timeline.push(1000, 1010, ['bake']);
    timeline.push(1020, 1030, []);

    it('accepts the old state until 100 ms after the answer that replaced it', () => {
      assert.equal(timeline.isLate(bake, false, 1005, 1006), false, 'asked while the grant was in flight');
      assert.equal(timeline.isLate(bake, true, 1050, 1051), false);
      assert.equal(timeline.isLate(bake, true, 1129, 1131), false);
      assert.equal(timeline.isLate(bake, false, 1050, 1051), false);
    });

    it('finds a read that shows a state replaced more than 100 ms before it was asked', () => {
      assert.equal(timeline.isLate(bake, true, 1130, 1131), true);
      assert.equal(timeline.isLate(bake, false, 1131, 1132), false);
    });

    it('finds a read that shows a state its account never had then', () => {
      assert.equal(timeline.isLate(bake, true, 900, 905), true);
    });
  });
});
