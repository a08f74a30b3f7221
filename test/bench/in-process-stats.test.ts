import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { addedOver, roundOrder, spreadOf, spreadText } from '../../bench/in-process-stats';

describe('the in-process bench statistics', () => {
  it('pairs each round of a variant with the same round of its baseline', () => {
    // A neighbour slowed round 2 for both: paired, the variant still adds 1 µs every round.
    const added = addedOver([11, 12, 31, 11.5], [10, 11, 30, 10.5]);
    assert.equal(added.micros.median, 1);
    assert.equal(added.micros.p10, 1);
    assert.equal(added.micros.p90, 1);
    // Nearest rank of four ratios: the second smallest, 10.5 / 11.5.
    assert.equal(added.ratio.median, 10.5 / 11.5);
  });

  it('gives the median and the 10th and 90th percentiles of the rounds', () => {
    const values = Array.from({ length: 31 }, (_, i) => 30 - i);
    assert.deepEqual(spreadOf(values), { median: 15, p10: 3, p90: 27 });
  });

  it('refuses a variant and a baseline of different rounds, or none', () => {
    assert.throws(() => addedOver([1, 2], [1]), /same rounds, got 2 and 1/);
    assert.throws(() => addedOver([], []), RangeError);
  });

  it('reverses the order every other round, leaving the list as it was', () => {
    const variants = ['a', 'b', 'c'];
    assert.deepEqual(roundOrder(variants, 0), ['a', 'b', 'c']);
    assert.deepEqual(roundOrder(variants, 1), ['c', 'b', 'a']);
    assert.deepEqual(roundOrder(variants, 2), ['a', 'b', 'c']);
    assert.deepEqual(variants, ['a', 'b', 'c']);
  });

  it('writes a spread as median (p10 – p90)', () => {
    assert.equal(spreadText({ median: 0.912, p10: -0.31, p90: 1.5 }, 2), '0.91 (-0.31 – 1.50)');
  });
});
