#!/usr/bin/env node
// The package as a user gets it: `npm pack`, then two throwaway applications from the npm
// registry in a temporary folder (Nest 11 with Jest, Nest 12 with Vitest, set up as
// `nest new` sets them up), each with the tarball installed, the README's quick start (its
// app module and e2e test) and testing-kit example pasted as written, a build, its tests,
// and one real request.
//
//   npm run test:consumer [-- --keep]      (--keep leaves the temporary folder for a look)
'use strict';
const { spawn } = require('node:child_process');
const { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } = require('node:fs');
const { createServer } = require('node:net');
const { tmpdir } = require('node:os');
const { join } = require('node:path');

const ROOT = join(__dirname, '..');
const STEP_TIMEOUT_MS = 4 * 60_000;
const started = Date.now();

const CAPS_YAML = `capabilities:
  read: []
  write: [read]
  payroll_view: []
auto_admin: true
default: [read]
guest: []
users:
  alice@example.com: [write]
  writer@example.com: [write]
  accountant@example.com: [payroll_view]
  payroll@service: [payroll_view]
`;

// The compiler options that `nest new` writes in Nest 11 and 12 alike; each app adds its version's own.
const NEST_COMPILER_OPTIONS = {
  module: 'nodenext',
  moduleResolution: 'nodenext',
  resolvePackageJsonExports: true,
  esModuleInterop: true,
  isolatedModules: true,
  declaration: true,
  removeComments: true,
  emitDecoratorMetadata: true,
  experimentalDecorators: true,
  allowSyntheticDefaultImports: true,
  target: 'ES2023',
  sourceMap: true,
  outDir: './dist',
};

const MAIN_TS = (appModule) => `import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { AppModule } from '${appModule}';

async function bootstrap() {
  const app = await NestFactory.create(AppModule, { logger: ['error', 'warn'] });
  await app.listen(Number(process.env.PORT), '127.0.0.1');
}
void bootstrap();
`;

const APPS = [
  {
    name: 'nest11-jest',
    packageJson: {
      private: true,
      scripts: { build: 'tsc -p tsconfig.build.json', test: 'jest', 'test:e2e': 'jest --config ./test/jest-e2e.json' },
      dependencies: {
        '@nestjs/common': '^11.0.1',
        '@nestjs/config': '^4.0.0',
        '@nestjs/core': '^11.0.1',
        '@nestjs/platform-express': '^11.0.1',
        'reflect-metadata': '^0.2.2',
        rxjs: '^7.8.1',
      },
      devDependencies: {
        '@nestjs/testing': '^11.0.1',
        '@types/express': '^5.0.0',
        '@types/jest': '^30.0.0',
        '@types/node': '^22.10.7',
        '@types/supertest': '^6.0.2',
        jest: '^30.0.0',
        supertest: '^7.0.0',
        'ts-jest': '^29.2.5',
        typescript: '^5.7.3',
      },
      // Nest 11's generated Jest configuration.
      jest: {
        moduleFileExtensions: ['js', 'json', 'ts'],
        rootDir: 'src',
        testRegex: '.*\\.spec\\.ts$',
        transform: { '^.+\\.(t|j)s$': 'ts-jest' },
        testEnvironment: 'node',
      },
    },
    files: {
      'tsconfig.json': {
        compilerOptions: {
          ...NEST_COMPILER_OPTIONS,
          incremental: true,
          skipLibCheck: true,
          strictNullChecks: true,
          forceConsistentCasingInFileNames: true,
          noImplicitAny: false,
          strictBindCallApply: false,
          noFallthroughCasesInSwitch: false,
        },
      },
      'src/main.ts': MAIN_TS('./app.module'),
      // Nest 11's generated configuration of the e2e tests.
      'test/jest-e2e.json': {
        moduleFileExtensions: ['js', 'json', 'ts'],
        rootDir: '.',
        testEnvironment: 'node',
        testRegex: '.e2e-spec.ts$',
        transform: { '^.+\\.(t|j)s$': 'ts-jest' },
      },
    },
  },
  {
    name: 'nest12-vitest',
    packageJson: {
      private: true,
      type: 'module',
      scripts: { build: 'tsc -p tsconfig.build.json', test: 'vitest run' },
      dependencies: {
        '@nestjs/common': '^12.0.1',
        '@nestjs/config': '^12.0.0',
        '@nestjs/core': '^12.0.1',
        '@nestjs/platform-express': '^12.0.1',
        'reflect-metadata': '^0.2.2',
        rxjs: '^7.8.1',
      },
      devDependencies: {
        '@nestjs/testing': '^12.0.1',
        '@types/express': '^5.0.0',
        '@types/node': '^24.0.0',
        '@types/supertest': '^7.0.0',
        supertest: '^7.0.0',
        typescript: '^6.0.2',
        vitest: '^4.1.2',
      },
    },
    files: {
      // Nest 12's generated TypeScript and Vitest configurations.
      'tsconfig.json': {
        compilerOptions: {
          ...NEST_COMPILER_OPTIONS,
          rootDir: '.',
          incremental: true,
          skipLibCheck: true,
          strict: true,
          strictPropertyInitialization: false,
          types: ['vitest/globals', 'node'],
        },
      },
      'vitest.config.ts': `import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    globals: true,
    root: './',
    include: ['**/*.spec.ts', 'test/**/*.e2e-spec.ts'],
  },
});
`,
      'src/main.ts': MAIN_TS('./app.module.js'),
    },
  },
];

async function main() {
  const keep = process.argv.includes('--keep');
  const work = mkdtempSync(join(tmpdir(), 'nest-capabilities-consumer-'));
  console.log(`consumer test in ${work}`);
  try {
    const tarball = await pack(work);
    const snippets = readmeSnippets();
    await Promise.all(APPS.map((app) => createApp(work, app, tarball, snippets)));
    const failures = [];
    // Every app checked even when one fails, so a run shows all that breaks.
    for (const app of APPS) await checkApp(join(work, app.name), app.name).catch((error) => failures.push(error));
    const seconds = Math.round((Date.now() - started) / 1000);
    if (failures.length > 0) throw new Error(`consumer test failed in ${seconds} s:\n${failures.map((error) => error.message).join('\n\n')}`);
    console.log(`consumer test passed in ${seconds} s`);
  } finally {
    if (!keep) rmSync(work, { recursive: true, force: true });
  }
}

/** `npm pack` (whose prepack builds); refuses a tarball that carries what a user does not need. */
async function pack(work) {
  const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', work], ROOT);
  const [report] = JSON.parse(stdout.slice(stdout.indexOf('[')));
  const unwanted = report.files.map((file) => file.path).filter((path) => !/^(dist\/src\/.+\.(js|d\.ts)|README\.md|LICENSE|package\.json)$/.test(path));
  if (unwanted.length > 0) throw new Error(`the tarball carries files a user does not need: ${unwanted.slice(0, 10).join(', ')}`);
  console.log(`tarball ${report.filename}: ${report.entryCount} files, ${(report.size / 1024).toFixed(1)} kB packed, ${(report.unpackedSize / 1024).toFixed(1)} kB unpacked`);
  return join(work, report.filename);
}

/** The README's blocks, pasted as written: the quick start (app module and e2e test) and the testing-kit example. */
function readmeSnippets() {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const firstTsBlockAfter = (heading) => {
    const at = readme.indexOf(`\n${heading}\n`);
    if (at < 0) throw new Error(`README.md has no "${heading}" section`);
    const block = /```ts\n([\s\S]*?)```/.exec(readme.slice(at));
    if (block === null) throw new Error(`README.md has no TypeScript block under "${heading}"`);
    return block[1];
  };
  const projectFile = (path) => {
    const block = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].find((match) => match[1].startsWith(`// ${path}\n`));
    if (block === undefined) throw new Error(`README.md shows no ${path}`);
    return block[1];
  };
  return { quickStart: projectFile('src/app.module.ts'), e2e: projectFile('test/app.e2e-spec.ts'), testingKit: firstTsBlockAfter('## Testing your app') };
}

async function createApp(work, app, tarball, snippets) {
  const folder = join(work, app.name);
  mkdirSync(join(folder, 'src'), { recursive: true });
  mkdirSync(join(folder, 'test'), { recursive: true });
  const packageJson = { name: `consumer-${app.name}`, ...app.packageJson };
  packageJson.dependencies = { ...packageJson.dependencies, 'nest-capabilities': `file:${tarball}` };
  const files = {
    ...app.files,
    'package.json': packageJson,
    'tsconfig.build.json': { extends: './tsconfig.json', compilerOptions: { rootDir: './src' }, include: ['src'], exclude: ['node_modules', 'dist', '**/*.spec.ts'] },
    'caps.yaml': CAPS_YAML,
    'src/app.module.ts': snippets.quickStart,
    'src/payroll.spec.ts': snippets.testingKit,
    'test/app.e2e-spec.ts': snippets.e2e,
  };
  for (const [name, content] of Object.entries(files)) {
    writeFileSync(join(folder, name), typeof content === 'string' ? content : `${JSON.stringify(content, null, 2)}\n`);
  }
  await run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], folder);
  console.log(`${app.name}: installed`);
}

async function checkApp(folder, name) {
  await run('npm', ['run', 'build'], folder);
  const tests = await run('npm', ['test'], folder);
  console.log(`${name}: build and tests passed${summary(tests.stdout + tests.stderr)}`);
  const scripts = JSON.parse(readFileSync(join(folder, 'package.json'), 'utf8')).scripts;
  if (scripts['test:e2e'] !== undefined) {
    const e2e = await run('npm', ['run', 'test:e2e'], folder);
    console.log(`${name}: e2e tests passed${summary(e2e.stdout + e2e.stderr)}`);
  }
  await realRequests(folder, name);
}

function summary(output) {
   
  const line = output.replace(/\x1b\[[0-9;]*m/g, '').split('\n').find((text) => /Tests?:?\s+\d+ passed|Tests\s+\d+ passed/.test(text));
  return line === undefined ? '' : ` (${line.trim()})`;
}

/** The built app on a free loopback port: the quick start's public route answers, the guarded one says 401. */
async function realRequests(folder, name) {
  const port = await freePort();
  const child = spawn(process.execPath, ['dist/main.js'], {
    cwd: folder,
    env: { ...process.env, PORT: String(port), AUTH_SECRET: 'consumer-test-secret-that-is-long-enough-0123456789', NODE_ENV: 'development' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  try {
    const base = `http://127.0.0.1:${port}`;
    const health = await firstAnswer(`${base}/articles/health`, exited, () => output);
    if (health.status !== 200 || health.body !== 'ok') throw new Error(`${name}: GET /articles/health answered ${health.status} ${health.body}`);
    const guarded = await fetch(`${base}/articles`, { signal: AbortSignal.timeout(5000) });
    if (guarded.status !== 401) throw new Error(`${name}: GET /articles answered ${guarded.status}, not 401`);
    console.log(`${name}: the running app answered GET /articles/health 200 "ok" and GET /articles 401`);
  } finally {
    process.kill(child.pid, 'SIGTERM');
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000).unref())]);
    if (child.exitCode === null && child.signalCode === null) process.kill(child.pid, 'SIGKILL');
  }
}

async function firstAnswer(url, exited, output) {
  let gone = false;
  void exited.then(() => (gone = true));
  for (const deadline = Date.now() + 30_000; Date.now() < deadline; ) {
    if (gone) throw new Error(`the app stopped before answering:\n${output()}`);
    try {
      const answer = await fetch(url, { signal: AbortSignal.timeout(2000) });
      return { status: answer.status, body: await answer.text() };
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  throw new Error(`no answer from ${url} within 30 s:\n${output()}`);
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** A command with a time limit; its output is shown when it fails. */
function run(command, args, cwd) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env: { ...process.env, CI: 'true' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const timer = setTimeout(() => process.kill(child.pid, 'SIGKILL'), STEP_TIMEOUT_MS);
    child.once('error', reject);
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) return resolve({ stdout, stderr });
      reject(new Error(`${command} ${args.join(' ')} (in ${cwd}) failed with ${signal ?? code}:\n${stdout.slice(-6000)}\n${stderr.slice(-6000)}`));
    });
  });
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
