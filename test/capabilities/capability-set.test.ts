import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EASY_OAUTH, flatGraph, graphOf, unclosedSet } from './fixtures';

describe('CapabilitySet: membership', () => {
  const graph = graphOf(EASY_OAUTH, true);

  it('holds the capabilities of its closure through has', () => {
    const set = graph.closureOf(['moderate']);
    assert.equal(set.has('moderate'), true);
    assert.equal(set.has('write'), true);
    assert.equal(set.has('read'), true);
    assert.equal(set.has('announce'), false);
    assert.equal(set.has('admin'), false);
  });

  it('never holds an unknown name, even one inherited by every object', () => {
    const set = graph.closureOf(['admin']);
    for (const name of ['ghost', '', 'constructor', '__proto__', 'toString', 'hasOwnProperty', 'READ']) {
      assert.equal(set.has(name), false, name);
    }
  });

  it('answers hasIndex by the graph index, and false outside the graph', () => {
    const set = graph.closureOf(['write']);
    assert.equal(set.hasIndex(graph.indexOf('read')), true);
    assert.equal(set.hasIndex(graph.indexOf('write')), true);
    assert.equal(set.hasIndex(graph.indexOf('moderate')), false);
    assert.equal(set.hasIndex(-1), false);
    assert.equal(set.hasIndex(graph.names.length), false);
    assert.equal(set.hasIndex(1_000_000), false);
    assert.equal(graph.closureOf(['admin']).hasIndex(-1), false);
  });

  it('answers hasIndex for indices in every 32-bit word, including each word\'s top bit', () => {
    const big = flatGraph(100, false);
    const set = big.closureOf(['c0', 'c31', 'c32', 'c63', 'c64', 'c95', 'c99']);
    for (let index = 0; index < 100; index++) {
      assert.equal(set.hasIndex(index), [0, 31, 32, 63, 64, 95, 99].includes(index), `index ${index}`);
    }
    assert.equal(set.has('c31'), true);
    assert.equal(set.has('c30'), false);
  });
});

describe('CapabilitySet: toArray and size', () => {
  it('lists the names sorted, not in definition order', () => {
    const graph = graphOf({ zebra: [], apple: [], mango: ['zebra', 'apple'] });
    assert.deepEqual(graph.closureOf(['mango']).toArray(), ['apple', 'mango', 'zebra']);
  });

  it('returns the same array on every call, and counts it in size', () => {
    const set = graphOf(EASY_OAUTH).closureOf(['announce']);
    assert.equal(set.toArray(), set.toArray());
    assert.equal(set.size, 3);
    assert.equal(graphOf(EASY_OAUTH).none.size, 0);
  });
});

describe('CapabilitySet: covers and missingFrom', () => {
  const graph = graphOf(EASY_OAUTH, true);

  it('covers a subset, an equal set and the empty set', () => {
    const moderate = graph.closureOf(['moderate']);
    assert.equal(moderate.covers(graph.closureOf(['write'])), true);
    assert.equal(moderate.covers(graph.closureOf(['moderate'])), true);
    assert.equal(moderate.covers(graph.none), true);
    assert.equal(graph.none.covers(graph.none), true);
  });

  it('does not cover a set holding anything it lacks', () => {
    const moderate = graph.closureOf(['moderate']);
    assert.equal(moderate.covers(graph.closureOf(['announce'])), false);
    assert.equal(moderate.covers(graph.closureOf(['admin'])), false);
    assert.equal(graph.none.covers(graph.closureOf(['read'])), false);
  });

  it('does not cover a closure from a set that lacks one implied capability', () => {
    const writeWithoutRead = unclosedSet(graph, ['write']);
    assert.equal(writeWithoutRead.has('write'), true);
    assert.equal(writeWithoutRead.has('read'), false);
    assert.equal(writeWithoutRead.covers(graph.closureOf(['write'])), false);
  });

  it('covers sets that use the top bit of a 32-bit word', () => {
    const big = flatGraph(40, true);
    const admin = big.closureOf(['admin']);
    assert.equal(admin.covers(big.closureOf(['c31'])), true, 'index 31 is the sign bit of the first word');
    assert.equal(admin.covers(admin), true);
    assert.equal(big.closureOf(['c31', 'c0']).covers(big.closureOf(['c31'])), true);
    assert.equal(big.closureOf(['c0']).covers(big.closureOf(['c31'])), false);
    assert.equal(big.closureOf(['c31']).covers(big.closureOf(['c30', 'c31'])), false);
  });

  it('covers sets across several words', () => {
    const big = flatGraph(100, false);
    const many = big.closureOf(['c1', 'c63', 'c64', 'c95']);
    assert.equal(many.covers(big.closureOf(['c63', 'c95'])), true);
    assert.equal(many.covers(big.closureOf(['c63', 'c96'])), false);
  });

  it('lists, sorted, what the other set holds and this one lacks', () => {
    const read = graph.closureOf(['read']);
    assert.deepEqual(read.missingFrom(graph.closureOf(['moderate'])), ['moderate', 'write']);
    assert.deepEqual(read.missingFrom(graph.closureOf(['admin'])), [
      'admin',
      'announce',
      'moderate',
      'user_management',
      'write',
    ]);
    assert.deepEqual(graph.closureOf(['admin']).missingFrom(graph.closureOf(['moderate'])), []);
    assert.deepEqual(unclosedSet(graph, ['write']).missingFrom(graph.closureOf(['write'])), ['read']);
  });
});
