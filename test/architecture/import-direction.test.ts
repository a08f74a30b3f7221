import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, it } from 'node:test';

// Compiled to <outDir>/test/architecture, so the repository root is three folders up.
const SRC = resolve(__dirname, '..', '..', '..', 'src');

/**
 * Which folder of src/ may not import which: dependencies point from the edge (nest/,
 * http/, cli/, testing/) to the core, never back. Read a row as "<folder> imports none of
 * <forbidden>".
 */
const FORBIDDEN: Record<string, readonly string[]> = {
  'capabilities/': ['nest/', 'http/', 'providers/', 'tokens/', 'stores/', 'session/', 'secrets/', 'api-keys/', 'audit/', 'cli/', 'testing/'],
  'events/': ['capabilities/', 'nest/', 'http/', 'providers/', 'tokens/', 'stores/', 'session/', 'secrets/', 'api-keys/', 'audit/', 'cli/', 'testing/'],
  'errors.ts': ['capabilities/', 'nest/', 'http/', 'providers/', 'tokens/', 'stores/', 'session/', 'secrets/', 'api-keys/', 'audit/', 'cli/', 'testing/'],
  'clock.ts': ['capabilities/', 'nest/', 'http/', 'providers/', 'tokens/', 'stores/', 'session/', 'secrets/', 'api-keys/', 'audit/', 'cli/', 'testing/', 'errors.ts'],
  'providers/': ['nest/', 'http/', 'cli/', 'testing/'],
  'tokens/': ['nest/', 'http/', 'cli/', 'testing/'],
  'session/': ['nest/', 'http/', 'providers/', 'cli/', 'testing/'],
  'stores/': ['nest/', 'http/', 'cli/', 'testing/'],
  'secrets/': ['nest/', 'http/', 'cli/', 'testing/'],
};

function sourceFiles(folder: string): string[] {
  return readdirSync(folder).flatMap((name) => {
    const path = join(folder, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return name.endsWith('.ts') ? [path] : [];
  });
}

/** The src-relative targets of a file's relative imports, exports-from and dynamic imports. */
function importedPaths(file: string): string[] {
  const source = readFileSync(file, 'utf8');
  const found: string[] = [];
  for (const match of source.matchAll(/(?:\bfrom\s+|\bimport\s*\(?\s*)['"](\.{1,2}\/[^'"]+)['"]/g)) {
    found.push(relative(SRC, resolve(dirname(file), match[1]!)).replaceAll('\\', '/'));
  }
  return found;
}

function owner(path: string): string {
  return path.includes('/') ? `${path.split('/')[0]!}/` : path.endsWith('.ts') ? path : `${path}.ts`;
}

describe('import direction between the folders of src/', () => {
  it('finds the folders the table names', () => {
    for (const folder of Object.keys(FORBIDDEN)) assert.ok(statSync(join(SRC, folder)).isDirectory() || folder.endsWith('.ts'), folder);
  });

  it('has no import that runs against the table', () => {
    const offenders: string[] = [];
    for (const file of sourceFiles(SRC)) {
      const from = owner(relative(SRC, file).replaceAll('\\', '/'));
      const forbidden = FORBIDDEN[from] ?? [];
      for (const target of importedPaths(file)) {
        if (forbidden.includes(owner(target))) offenders.push(`${relative(SRC, file)} imports ${target}`);
      }
    }
    assert.deepEqual(offenders, []);
  });

  it('keeps the guard out of http/: it throws a refusal carrying the sign-in page, the filter answers it', () => {
    assert.deepEqual(importedPaths(join(SRC, 'nest', 'capability.guard.ts')).filter((target) => owner(target) === 'http/'), []);
  });

  it('would see a wrong-way import', () => {
    const file = join(SRC, 'providers', 'oauth2-endpoints.ts');
    assert.ok(importedPaths(file).every((target) => !target.startsWith('nest/')));
    assert.equal(owner('nest/auth-config'), 'nest/');
    assert.ok(FORBIDDEN['providers/']!.includes(owner('nest/auth-config')));
  });
});
