// The README's quick start, run as a newcomer runs it: the caps.yaml `init` writes, the
// README's src/app.module.ts, and the README's test/app.e2e-spec.ts, which imports that
// module before any AUTH_SECRET is set, as the e2e test of a fresh Nest project does.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import ts from 'typescript';
import { cli } from '../cli/cli-run';
import { readmeFile, ROOT } from './readme-snippets';

/** The README's blocks as a compiled project, inside the repository so that it resolves its packages and 'nest-capabilities' itself. */
function writeProject(): string {
  const files = ['src/app.module.ts', 'test/app.e2e-spec.ts'].map((path) => ({ path, code: readmeFile(path).code }));
  mkdirSync(join(ROOT, 'dist'), { recursive: true });
  const project = mkdtempSync(join(ROOT, 'dist', 'readme-project-'));
  for (const { path, code } of files) {
    const { outputText } = ts.transpileModule(code, {
      compilerOptions: {
        module: ts.ModuleKind.CommonJS,
        target: ts.ScriptTarget.ES2022,
        experimentalDecorators: true,
        emitDecoratorMetadata: true,
        esModuleInterop: true,
      },
    });
    mkdirSync(join(project, path, '..'), { recursive: true });
    writeFileSync(join(project, path.replace(/\.ts$/, '.js')), outputText);
  }
  return project;
}

describe('the README quick start, run as its own e2e test', () => {
  const project = writeProject();
  const folder = mkdtempSync(join(tmpdir(), 'readme-caps-'));
  const saved = { ...process.env };

  before(async () => {
    const init = await cli(['init', join(folder, 'caps.yaml')]);
    if (init.status !== 0) throw new Error(init.err);
  });
  after(() => {
    process.env = saved;
    rmSync(project, { recursive: true, force: true });
    rmSync(folder, { recursive: true, force: true });
  });

  // The spec requires the app module now, while its tests are registered; its beforeAll sets the secret later.
  delete process.env['AUTH_SECRET'];
  // What Vitest (Nest 12's runner) puts in the environment of every test: Vite's base path.
  process.env['BASE_URL'] = '/';
  process.env['CAPS_FILE'] = join(folder, 'caps.yaml');
  // The spec's runner globals, as Jest and Vitest (globals: true) provide them.
  Object.assign(globalThis, { describe, it, beforeAll: before, afterAll: after });
  createRequire(__filename)(join(project, 'test', 'app.e2e-spec.js'));
});
