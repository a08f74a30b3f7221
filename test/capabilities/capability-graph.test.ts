import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CapabilitiesError, CapabilityGraphError } from '../../src/errors';
import { ADMIN_CAPABILITY, CapabilityGraph } from '../../src/capabilities/capability-graph';
import { EASY_OAUTH, TOWN, flatGraph, graphOf } from './fixtures';

function buildError(definitions: Readonly<Record<string, readonly string[]>>, autoAdmin = false): CapabilityGraphError {
  let caught: unknown;
  assert.throws(
    () => graphOf(definitions, autoAdmin),
    (error: unknown) => {
      caught = error;
      return true;
    },
  );
  assert.ok(caught instanceof CapabilityGraphError, 'a CapabilityGraphError');
  assert.ok(caught instanceof CapabilitiesError, 'a CapabilitiesError');
  assert.equal(caught.name, 'CapabilityGraphError');
  return caught;
}

describe('CapabilityGraph: implication', () => {
  it('closes over implication transitively (moderate -> write -> read)', () => {
    const graph = graphOf({ read: [], write: ['read'], moderate: ['write'] });
    assert.deepEqual(graph.closureOf(['moderate']).toArray(), ['moderate', 'read', 'write']);
    assert.deepEqual(graph.closureOf(['write']).toArray(), ['read', 'write']);
    assert.deepEqual(graph.closureOf(['read']).toArray(), ['read']);
  });

  it('grants a capability only what it implies, never what implies it', () => {
    const graph = graphOf(EASY_OAUTH);
    const write = graph.closureOf(['write']);
    assert.equal(write.has('read'), true);
    assert.equal(write.has('moderate'), false);
    assert.equal(write.has('announce'), false);
    assert.equal(write.has('user_management'), false);
  });

  it('closes the easy-oauth graph as its README describes', () => {
    const graph = graphOf(EASY_OAUTH);
    assert.deepEqual(graph.closureOf(['moderate']).toArray(), ['moderate', 'read', 'write']);
    assert.deepEqual(graph.closureOf(['announce']).toArray(), ['announce', 'read', 'write']);
    assert.deepEqual(graph.closureOf(['user_management']).toArray(), ['user_management']);
    assert.deepEqual(graph.closureOf(['announce', 'moderate']).toArray(), ['announce', 'moderate', 'read', 'write']);
  });

  it('follows long implication paths through a small town', () => {
    const graph = graphOf(TOWN);
    assert.deepEqual(graph.closureOf(['run_family']).toArray(), [
      'bake',
      'bribe',
      'buy_bread',
      'extort',
      'run_family',
      'sell_bread',
      'walk_streets',
    ]);
    assert.deepEqual(graph.closureOf(['arrest']).toArray(), ['arrest', 'walk_streets']);
    assert.equal(graph.closureOf(['run_family']).has('arrest'), false, 'the family does not arrest');
    assert.equal(graph.closureOf(['arrest']).has('bribe'), false, 'the police does not take bribes');
  });

  it('closes a diamond once, whichever side is reached first', () => {
    // top -> left -> bottom and top -> right -> bottom: bottom is reached twice, which is not a cycle.
    const graph = graphOf({ bottom: [], left: ['bottom'], right: ['bottom'], top: ['left', 'right'] });
    assert.deepEqual(graph.closureOf(['top']).toArray(), ['bottom', 'left', 'right', 'top']);
    const reversed = graphOf({ top: ['right', 'left'], right: ['bottom'], left: ['bottom'], bottom: [] });
    assert.deepEqual(reversed.closureOf(['top']).toArray(), ['bottom', 'left', 'right', 'top']);
    assert.deepEqual(reversed.closureOf(['left']).toArray(), ['bottom', 'left']);
  });

  it('closes stacked diamonds whose capabilities are defined before what they imply', () => {
    const graph = graphOf({ a: ['b', 'c'], b: ['d'], c: ['d'], d: ['e', 'f'], e: ['g'], f: ['g'], g: [] });
    assert.deepEqual(graph.closureOf(['a']).toArray(), ['a', 'b', 'c', 'd', 'e', 'f', 'g']);
    assert.deepEqual(graph.closureOf(['c']).toArray(), ['c', 'd', 'e', 'f', 'g']);
  });

  it('accepts an implication listed twice', () => {
    const graph = graphOf({ read: [], write: ['read', 'read'] });
    assert.deepEqual(graph.closureOf(['write']).toArray(), ['read', 'write']);
  });

  it('builds a chain of 10,000 capabilities without overflowing the stack, and the first implies the last', () => {
    const count = 10_000;
    const definitions = new Map<string, readonly string[]>();
    // Defined first-to-last so the depth-first search has to go the whole depth from the first root.
    for (let index = 0; index < count; index++) definitions.set(`c${index}`, index + 1 < count ? [`c${index + 1}`] : []);
    const graph = CapabilityGraph.build(definitions, { autoAdmin: false });
    const first = graph.closureOf(['c0']);
    assert.equal(first.has(`c${count - 1}`), true);
    assert.equal(first.size, count);
    assert.equal(graph.closureOf([`c${count - 1}`]).size, 1);
    assert.equal(graph.closureOf(['c5000']).size, 5000);
    assert.equal(graph.closureOf(['c5000']).has('c4999'), false);
  });

  it('reports a cycle closing a chain of 10,000 capabilities without overflowing the stack', () => {
    const count = 10_000;
    const definitions: Record<string, readonly string[]> = {};
    for (let index = 0; index < count; index++) definitions[`c${index}`] = [`c${(index + 1) % count}`];
    const error = buildError(definitions);
    assert.equal(error.code, 'CAPS_CYCLE');
    assert.equal(error.capability, 'c0');
    assert.equal(error.path.length, count + 1);
    assert.equal(error.path[0], 'c0');
    assert.equal(error.path[count - 1], `c${count - 1}`);
    assert.equal(error.path[count], 'c0');
    assert.match(error.message, /^capability cycle: c0 -> c1 -> c2 -> .* -> c9999 -> c0$/);
  });
});

describe('CapabilityGraph: auto_admin', () => {
  it('adds admin last, implying every capability of the graph', () => {
    const graph = graphOf(EASY_OAUTH, true);
    assert.equal(ADMIN_CAPABILITY, 'admin');
    assert.equal(graph.autoAdmin, true);
    assert.deepEqual(graph.names, ['read', 'write', 'moderate', 'announce', 'user_management', 'admin']);
    assert.deepEqual(graph.closureOf(['admin']).toArray(), ['admin', 'announce', 'moderate', 'read', 'user_management', 'write']);
    assert.deepEqual(graph.impliedBy('admin'), ['read', 'write', 'moderate', 'announce', 'user_management']);
  });

  it('lets admin imply a capability that is added to the file later', () => {
    const before = graphOf({ read: [] }, true);
    const after = graphOf({ read: [], deploy: [] }, true);
    assert.equal(before.closureOf(['admin']).has('deploy'), false);
    assert.equal(after.closureOf(['admin']).has('deploy'), true);
  });

  it('still makes an admin written in the definitions imply everything, once, and last', () => {
    const graph = graphOf({ admin: ['read'], read: [], write: ['read'], deploy: [] }, true);
    assert.deepEqual(graph.names, ['read', 'write', 'deploy', 'admin']);
    assert.deepEqual(graph.closureOf(['admin']).toArray(), ['admin', 'deploy', 'read', 'write']);
    assert.deepEqual(graph.impliedBy('admin'), ['read', 'write', 'deploy']);
  });

  it('throws CAPS_UNDEFINED when a written admin implies an undefined capability', () => {
    const error = buildError({ admin: ['ghost'], read: [] }, true);
    assert.equal(error.code, 'CAPS_UNDEFINED');
    assert.equal(error.message, 'capability "admin" implies "ghost", which is not defined');
    assert.equal(error.capability, 'ghost');
    assert.deepEqual(error.path, ['admin', 'ghost']);
  });

  it('gives admin nothing when the graph is empty', () => {
    const graph = graphOf({}, true);
    assert.deepEqual(graph.names, ['admin']);
    assert.deepEqual(graph.closureOf(['admin']).toArray(), ['admin']);
  });

  it('treats admin as an ordinary capability without auto_admin', () => {
    const graph = graphOf({ read: [], write: ['read'], admin: ['read'] }, false);
    assert.equal(graph.autoAdmin, false);
    assert.deepEqual(graph.names, ['read', 'write', 'admin']);
    assert.deepEqual(graph.closureOf(['admin']).toArray(), ['admin', 'read']);
    assert.equal(graphOf({ read: [] }, false).has('admin'), false);
  });

  it('throws CAPS_CYCLE when a capability implies admin', () => {
    const error = buildError({ read: [], write: ['admin'] }, true);
    assert.equal(error.code, 'CAPS_CYCLE');
    assert.equal(error.message, 'capability cycle: write -> admin -> write');
    assert.equal(error.capability, 'write');
    assert.deepEqual(error.path, ['write', 'admin', 'write']);
  });

  it('throws CAPS_CYCLE when a capability implies admin through another one', () => {
    const error = buildError({ owner: ['root'], root: ['admin'], read: [] }, true);
    assert.equal(error.code, 'CAPS_CYCLE');
    assert.equal(error.message, 'capability cycle: owner -> root -> admin -> owner');
    assert.deepEqual(error.path, ['owner', 'root', 'admin', 'owner']);
  });
});

describe('CapabilityGraph: rejections', () => {
  it('throws CAPS_CYCLE with the path of a two-step cycle', () => {
    const error = buildError({ a: ['b'], b: ['a'] });
    assert.equal(error.code, 'CAPS_CYCLE');
    assert.equal(error.message, 'capability cycle: a -> b -> a');
    assert.equal(error.capability, 'a');
    assert.deepEqual(error.path, ['a', 'b', 'a']);
  });

  it('throws CAPS_CYCLE for a capability that implies itself', () => {
    const error = buildError({ read: [], a: ['a'] });
    assert.equal(error.code, 'CAPS_CYCLE');
    assert.equal(error.message, 'capability cycle: a -> a');
    assert.equal(error.capability, 'a');
    assert.deepEqual(error.path, ['a', 'a']);
  });

  it('throws CAPS_CYCLE naming only the cycle, not the way into it', () => {
    const error = buildError({ entry: ['x'], x: ['y'], y: ['z'], z: ['x'] });
    assert.equal(error.code, 'CAPS_CYCLE');
    assert.equal(error.message, 'capability cycle: x -> y -> z -> x');
    assert.equal(error.capability, 'x');
    assert.deepEqual(error.path, ['x', 'y', 'z', 'x']);
  });

  it('throws CAPS_CYCLE for a cycle found after a finished diamond', () => {
    const error = buildError({ top: ['left', 'right'], left: ['bottom'], right: ['bottom'], bottom: [], p: ['q'], q: ['p'] });
    assert.equal(error.code, 'CAPS_CYCLE');
    assert.equal(error.message, 'capability cycle: p -> q -> p');
  });

  it('throws CAPS_UNDEFINED naming the capability that implies an undefined one', () => {
    const error = buildError({ read: [], write: ['read', 'ghost'] });
    assert.equal(error.code, 'CAPS_UNDEFINED');
    assert.equal(error.message, 'capability "write" implies "ghost", which is not defined');
    assert.equal(error.capability, 'ghost');
    assert.deepEqual(error.path, ['write', 'ghost']);
  });

  it('throws CAPS_UNDEFINED for the first offender in definition order', () => {
    const error = buildError({ read: [], write: ['phantom'], moderate: ['ghost'] });
    assert.equal(error.message, 'capability "write" implies "phantom", which is not defined');
  });

  it('throws CAPS_UNDEFINED rather than CAPS_CYCLE when both are present', () => {
    const error = buildError({ a: ['b'], b: ['a', 'ghost'] });
    assert.equal(error.code, 'CAPS_UNDEFINED');
    assert.equal(error.message, 'capability "b" implies "ghost", which is not defined');
  });

  it('throws CAPS_UNDEFINED for an implied admin when auto_admin is off', () => {
    const error = buildError({ read: [], root: ['admin'] }, false);
    assert.equal(error.code, 'CAPS_UNDEFINED');
    assert.equal(error.message, 'capability "root" implies "admin", which is not defined');
  });
});

describe('CapabilityGraph: lookups', () => {
  it('numbers capabilities in definition order through indexOf, and -1 for an unknown name', () => {
    const graph = graphOf(EASY_OAUTH, true);
    assert.equal(graph.indexOf('read'), 0);
    assert.equal(graph.indexOf('write'), 1);
    assert.equal(graph.indexOf('user_management'), 4);
    assert.equal(graph.indexOf('admin'), 5);
    assert.equal(graph.indexOf('ghost'), -1);
    assert.equal(graph.indexOf('constructor'), -1);
    assert.equal(graph.indexOf('__proto__'), -1);
  });

  it('tells which names are capabilities through has', () => {
    const graph = graphOf(EASY_OAUTH);
    assert.equal(graph.has('moderate'), true);
    assert.equal(graph.has('Moderate'), false);
    assert.equal(graph.has('admin'), false);
    assert.equal(graph.has('toString'), false);
    assert.equal(graph.has(''), false);
  });

  it('returns the direct implications as written through impliedBy, and [] for an unknown name', () => {
    const graph = graphOf(EASY_OAUTH);
    assert.deepEqual(graph.impliedBy('moderate'), ['read', 'write']);
    assert.deepEqual(graph.impliedBy('write'), ['read']);
    assert.deepEqual(graph.impliedBy('read'), []);
    assert.deepEqual(graph.impliedBy('ghost'), []);
    assert.deepEqual(graph.impliedBy('constructor'), []);
  });

  it('ignores unknown names in closureOf', () => {
    const graph = graphOf(EASY_OAUTH);
    assert.deepEqual(graph.closureOf(['ghost', 'write', 'constructor', '__proto__']).toArray(), ['read', 'write']);
    assert.equal(graph.closureOf(['ghost']).size, 0);
  });

  it('returns the empty set for closureOf nothing', () => {
    const graph = graphOf(EASY_OAUTH);
    assert.equal(graph.closureOf([]).size, 0);
    assert.deepEqual(graph.closureOf([]).toArray(), []);
    assert.equal(graph.none.size, 0);
    assert.equal(graph.none.has('read'), false);
  });

  it('accepts any iterable in closureOf', () => {
    const graph = graphOf(EASY_OAUTH);
    assert.deepEqual(graph.closureOf(new Set(['write', 'user_management'])).toArray(), ['read', 'user_management', 'write']);
  });

  it('unites sets through union without changing them', () => {
    const graph = graphOf(EASY_OAUTH);
    const write = graph.closureOf(['write']);
    const manage = graph.closureOf(['user_management']);
    assert.deepEqual(graph.union(write, manage).toArray(), ['read', 'user_management', 'write']);
    assert.deepEqual(write.toArray(), ['read', 'write']);
    assert.deepEqual(manage.toArray(), ['user_management']);
    assert.deepEqual(graph.union().toArray(), []);
    assert.deepEqual(graph.union(graph.none, write).toArray(), ['read', 'write']);
  });

  it('unites sets spanning several 32-bit words', () => {
    const graph = flatGraph(70, false);
    const union = graph.union(graph.closureOf(['c0', 'c31']), graph.closureOf(['c32', 'c63']), graph.closureOf(['c64', 'c69']));
    assert.deepEqual(union.toArray(), ['c0', 'c31', 'c32', 'c63', 'c64', 'c69']);
  });

  it('gives admin every capability of a graph of more than 32, including the 32nd and the 64th', () => {
    const graph = flatGraph(70, true);
    const admin = graph.closureOf(['admin']);
    assert.equal(admin.size, 71);
    for (const name of graph.names) assert.equal(admin.has(name), true, name);
  });
});
