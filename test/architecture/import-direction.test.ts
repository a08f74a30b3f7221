import assert from 'node:assert/strict';
import { readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { fileCycles, importedPaths, importGraph, mutualOwners, owner } from './import-graph';

// Compiled to <outDir>/test/architecture, so the repository root is three folders up.
const SRC = resolve(__dirname, '..', '..', '..', 'src');

/** The edge: entry points and what binds the module to Nest, HTTP, GraphQL, WebSockets and the terminal. */
const EDGE = ['module/', 'nest/', 'http/', 'graphql/', 'ws/', 'cli/', 'openapi/', 'testing/', 'extend/', 'index.ts'] as const;
/** The parts between the edge and the core. */
const PARTS = ['caps-file/', 'secrets/', 'tokens/', 'session/', 'providers/', 'audit/', 'api-keys/', 'clients/', 'stores/', 'telemetry/'] as const;
const CORE = ['errors.ts', 'clock.ts', 'events/', 'capabilities/'] as const;
const everyOwner = [...CORE, ...PARTS, ...EDGE];
const allBut = (...allowed: string[]): string[] => everyOwner.filter((name) => !allowed.includes(name));

/**
 * Which top-level folder (or file) of src/ may not import which: dependencies point from
 * the edge to the core, never back. Read a row as "<folder> imports none of <forbidden>".
 * module/ is the wiring: only the main entry imports it.
 */
const FORBIDDEN: Record<string, readonly string[]> = {
  'errors.ts': allBut('errors.ts'),
  'clock.ts': allBut('clock.ts'),
  'events/': allBut('events/', 'errors.ts', 'clock.ts'),
  'capabilities/': allBut('capabilities/', 'errors.ts'),
  'caps-file/': [...EDGE, 'stores/', 'tokens/', 'session/', 'providers/', 'secrets/', 'api-keys/', 'clients/', 'audit/'],
  'secrets/': [...EDGE, ...PARTS.filter((part) => part !== 'secrets/')],
  'audit/': [...EDGE, 'api-keys/', 'clients/', 'stores/', 'tokens/', 'session/', 'providers/', 'secrets/', 'caps-file/'],
  'api-keys/': [...EDGE, 'stores/', 'tokens/', 'session/', 'providers/', 'secrets/', 'caps-file/', 'clients/'],
  // OAuth clients of service accounts: records, their rules and the slow-down of failed authentications; beside api-keys/.
  'clients/': [...EDGE, 'stores/', 'tokens/', 'session/', 'providers/', 'secrets/', 'caps-file/', 'api-keys/'],
  'tokens/': [...EDGE, 'stores/', 'session/', 'providers/', 'api-keys/', 'clients/', 'audit/', 'caps-file/'],
  'session/': [...EDGE, 'providers/', 'stores/', 'api-keys/', 'clients/', 'audit/', 'caps-file/'],
  'providers/': [...EDGE, 'stores/', 'api-keys/', 'clients/', 'audit/', 'caps-file/'],
  'stores/': [...EDGE, 'session/', 'providers/', 'secrets/'],
  // The lowest of the parts: the module's metrics and spans through @opentelemetry/api, beside the core, used by the parts and the edge.
  'telemetry/': [...EDGE, ...PARTS.filter((part) => part !== 'telemetry/')],
  'ws/': ['module/', 'nest/', 'http/', 'graphql/', 'cli/', 'openapi/', 'testing/', 'extend/', 'index.ts'],
  'graphql/': ['module/', 'nest/', 'http/', 'cli/', 'openapi/', 'testing/', 'extend/', 'index.ts'],
  'nest/': ['module/', 'http/', 'cli/', 'openapi/', 'testing/', 'extend/', 'index.ts'],
  'http/': ['module/', 'cli/', 'openapi/', 'testing/', 'extend/', 'index.ts'],
  'module/': ['cli/', 'openapi/', 'testing/', 'extend/', 'index.ts'],
  'cli/': ['module/', 'http/', 'graphql/', 'ws/', 'openapi/', 'testing/', 'extend/', 'index.ts'],
  'openapi/': ['module/', 'cli/', 'testing/', 'extend/', 'index.ts'],
  'testing/': ['module/', 'http/', 'cli/', 'openapi/', 'extend/', 'index.ts'],
  'extend/': ['module/', 'nest/', 'http/', 'graphql/', 'ws/', 'cli/', 'openapi/', 'testing/', 'index.ts'],
  'index.ts': ['cli/', 'testing/', 'openapi/', 'graphql/', 'extend/'],
};

/** The imports of `graph` that run against `forbidden`. */
function offendersOf(graph: ReadonlyMap<string, readonly string[]>, forbidden: Record<string, readonly string[]>): string[] {
  const offenders: string[] = [];
  for (const [file, targets] of graph) {
    for (const target of targets) if ((forbidden[owner(file)] ?? []).includes(owner(target))) offenders.push(`${file} imports ${target}`);
  }
  return offenders;
}

describe('import direction between the folders of src/', () => {
  const graph = importGraph(SRC);

  it('has a row for every folder and file at the top of src/, and names nothing else', () => {
    const present = readdirSync(SRC)
      .map((name) => (statSync(join(SRC, name)).isDirectory() ? `${name}/` : name))
      .filter((name) => name.endsWith('/') || name.endsWith('.ts'));
    assert.deepEqual(Object.keys(FORBIDDEN).sort(), present.sort());
    assert.deepEqual([...everyOwner].sort(), present.sort());
  });

  it('has no import that runs against the table', () => {
    assert.deepEqual(offendersOf(graph, FORBIDDEN), []);
  });

  it('keeps the sign-in cookies out of the providers: session/ -> providers/ is forbidden', () => {
    assert.ok(FORBIDDEN['session/']!.includes('providers/'));
  });

  it('keeps the guard out of http/: it throws a refusal carrying the sign-in page, the filter answers it', () => {
    assert.deepEqual(importedPaths(SRC, join(SRC, 'nest', 'capability.guard.ts')).filter((target) => owner(target) === 'http/'), []);
  });

  it('has no two folders that import each other', () => {
    assert.deepEqual(mutualOwners(graph), []);
  });

  it('has no circle of imports between files', () => {
    assert.deepEqual(fileCycles(graph), []);
  });

  it('resolves folder imports to their index', () => {
    const index = importedPaths(SRC, join(SRC, 'index.ts'));
    assert.ok(index.includes('capabilities/index.ts'), index.join(', '));
    assert.equal(owner('capabilities/index.ts'), 'capabilities/');
  });
});

describe('the import checks themselves', () => {
  it('would see a wrong-way import', () => {
    const wrongWay = new Map([['providers/oauth2-endpoints.ts', ['nest/auth-config.ts', 'errors.ts']]]);
    assert.deepEqual(offendersOf(wrongWay, FORBIDDEN), ['providers/oauth2-endpoints.ts imports nest/auth-config.ts']);
  });

  it('would see two folders importing each other, however far apart the files', () => {
    const graph = new Map([
      ['a/one.ts', ['b/two.ts']],
      ['b/three.ts', ['a/four.ts']],
      ['a/four.ts', ['c/five.ts']],
      ['b/two.ts', []],
      ['c/five.ts', ['errors.ts']],
    ]);
    assert.deepEqual(mutualOwners(graph), ['a/ <-> b/']);
  });

  it('would see a circle of files, a file importing itself, and no circle in a diamond', () => {
    const circle = new Map([
      ['a.ts', ['b.ts']],
      ['b.ts', ['c.ts']],
      ['c.ts', ['a.ts']],
      ['d.ts', ['a.ts', 'd.ts']],
    ]);
    assert.deepEqual(fileCycles(circle), [['a.ts', 'b.ts', 'c.ts'], ['d.ts']]);
    const diamond = new Map([
      ['top.ts', ['left.ts', 'right.ts']],
      ['left.ts', ['bottom.ts']],
      ['right.ts', ['bottom.ts']],
      ['bottom.ts', []],
    ]);
    assert.deepEqual(fileCycles(diamond), []);
  });

  it('would have seen the circle the policy and its layered grants once made', () => {
    const before = new Map([
      ['capabilities/capability-policy.ts', ['capabilities/layered-grants.ts']],
      ['capabilities/layered-grants.ts', ['capabilities/capability-policy.ts']],
    ]);
    assert.deepEqual(fileCycles(before), [['capabilities/capability-policy.ts', 'capabilities/layered-grants.ts']]);
  });
});
