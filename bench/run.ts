import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join, relative } from 'node:path';
import { benchCapabilityChecks } from './capability-checks.bench';
import { benchCapsStore } from './caps-store.bench';
import type { AdapterName } from './http.bench';
import { fixed, table, thousands } from './stats';

/** Where the figures of a full run are kept, next to this file's source. */
const RESULTS = join(__dirname, '..', '..', 'bench', 'RESULTS.md');
const COMMAND = 'npm run bench';

function positive(name: string, fallback: number): number {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} must be a positive integer, got ${process.env[name]}`);
  return value;
}

function version(pkg: string): string {
  // Found on the resolution paths rather than resolved: some packages do not export their package.json.
  const file = (require.resolve.paths(pkg) ?? []).map((folder) => join(folder, pkg, 'package.json')).find((candidate) => existsSync(candidate));
  return file === undefined ? 'not installed' : (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
}

/** The hand-written reading of the figures, kept beside this file. */
function closingNote(): string {
  const file = join(__dirname, '..', '..', 'bench', 'closing-note.md');
  return existsSync(file) ? readFileSync(file, 'utf8') : '';
}

function commandLine(): string {
  const overrides = Object.entries(process.env).filter(([name]) => name.startsWith('BENCH_')).map(([name, value]) => `${name}=${value} `);
  return `${overrides.join('')}node ${process.execArgv.join(' ')} ${relative(process.cwd(), process.argv[1] ?? '')}`.replace(/ +/g, ' ');
}

function machine(): string {
  const cpuModel = (readFileSync('/proc/cpuinfo', 'utf8').match(/^model name\s*:\s*(.*)$/m)?.[1] ?? cpus()[0]?.model ?? 'unknown').trim();
  return [
    `- Machine: ${cpus().length} cores (${cpuModel}), ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM, ${process.platform} ${process.arch}`,
    `- Node ${process.versions.node}; @nestjs/core ${version('@nestjs/core')}, @nestjs/platform-express ${version('@nestjs/platform-express')} (express ${version('express')}), @nestjs/platform-fastify ${version('@nestjs/platform-fastify')} (fastify ${version('fastify')}), @nestjs/passport ${version('@nestjs/passport')}, passport-jwt ${version('passport-jwt')}, jsonwebtoken ${version('jsonwebtoken')}, yaml ${version('yaml')}, @nestjs/graphql ${version('@nestjs/graphql')} (@apollo/server ${version('@apollo/server')}, mercurius ${version('mercurius')}, graphql ${version('graphql')}), ioredis ${version('ioredis')}, autocannon ${version('autocannon')}`,
  ].join('\n');
}

/** The parts of a full run, in the order they run; `BENCH_PARTS=graphql,redis-route` runs only those (and writes no RESULTS.md unless BENCH_RESULTS names a file). */
const ALL_PARTS = ['http', 'graphql', 'checks', 'store', 'redis-route', 'redis', 'redis-scopes', 'redis-soak', 'admin-page', 'policy-tools', 'scopes', 'in-process', 'clients'] as const;

function adapterOf(name: string, fallback: AdapterName): AdapterName {
  const value = process.env[name] ?? fallback;
  if (value !== 'express' && value !== 'fastify') throw new Error(`${name} must be express or fastify, got ${value}`);
  return value;
}

function selectedParts(): Set<string> {
  const parts = new Set((process.env['BENCH_PARTS'] ?? ALL_PARTS.join(',')).split(',').map((part) => part.trim()));
  const unknown = [...parts].filter((part) => !(ALL_PARTS as readonly string[]).includes(part));
  if (unknown.length > 0) throw new Error(`BENCH_PARTS: unknown part ${unknown.join(', ')}; the parts are ${ALL_PARTS.join(', ')}`);
  return parts;
}

async function main(): Promise<void> {
  const parts = selectedParts();
  // Taken before the parts run: some of them pass settings to their servers through BENCH_ variables.
  const command = commandLine();
  const http = { rounds: positive('BENCH_ROUNDS', 10), seconds: positive('BENCH_SECONDS', 2), connections: 10 };
  const started = Date.now();
  const sections: string[] = [];
  const targets: string[][] = [];
  const target = (what: string, wanted: string, measured: number, met: boolean, digits = 2): void => {
    targets.push([what, wanted, fixed(measured, digits), met ? 'met' : '**not met**']);
  };
  if (parts.has('http')) {
    sections.push('## 1. Guarded requests on a route, as ratios to the same route unguarded', '');
    // Loaded only when asked for: it pulls in Nest and the whole module.
    const { benchHttp } = await import('./http.bench.js');
    for (const adapter of ['express', 'fastify'] as AdapterName[]) {
      const figures = await benchHttp(adapter, http);
      console.log(figures.markdown);
      sections.push(figures.markdown);
      target(`ours vs unguarded, ${adapter}`, '≥ 0.90×', figures.oursVsLimit, figures.oursVsLimit >= 0.9);
      const { bearer, cookie } = figures.oneProcess;
      target(`ours vs unguarded in one process, bearer token, ${adapter} (req/s)`, '≥ 0.90×', bearer.median, bearer.median >= 0.9);
      target(`ours vs unguarded in one process by server CPU per request, bearer token, ${adapter}`, '≥ 0.95×', bearer.byCpu, bearer.byCpu >= 0.95);
      target(`ours vs unguarded in one process by server CPU per request, session cookie, ${adapter}`, '≥ 0.95×', cookie.byCpu, cookie.byCpu >= 0.95);
      target(`ours vs unguarded by server CPU per request, one app per process, ${adapter} (for information)`, '≥ 0.95×', figures.oursVsLimitByCpu, figures.oursVsLimitByCpu >= 0.95);
      target(`API key vs user token on a guarded route, ${adapter}`, '≥ 0.98×', figures.keyVsToken, figures.keyVsToken >= 0.98);
      target(`ours vs recipe (KeyObject), ${adapter}`, '≥ 1.5×', figures.oursVsRecipeKey, figures.oursVsRecipeKey >= 1.5);
      target(`ours vs recipe (string), ${adapter}`, '≥ 10×', figures.oursVsRecipeString, figures.oursVsRecipeString >= 10);
      const byCpu = `by server CPU per request: ${fixed(figures.oursVsRecipeKeyByCpu)}× (KeyObject), ${fixed(figures.oursVsRecipeStringByCpu)}× (string)`;
      target(`ours vs recipe, ${adapter}, ${byCpu} (for information)`, '≥ 1.5×, ≥ 10×', figures.oursVsRecipeKeyByCpu, figures.oursVsRecipeKeyByCpu >= 1.5 && figures.oursVsRecipeStringByCpu >= 10);
    }
  }
  if (parts.has('graphql')) {
    sections.push('## 2. A guarded GraphQL query, as ratios to the same query unguarded', '');
    // Loaded only when asked for: it pulls in both GraphQL drivers.
    const { benchGraphql } = await import('./graphql.bench.js');
    for (const adapter of ['express', 'fastify'] as AdapterName[]) {
      const figures = await benchGraphql(adapter, http);
      console.log(figures.markdown);
      sections.push(figures.markdown);
      const driver = adapter === 'express' ? 'Apollo/Express' : 'Mercurius/Fastify';
      target(`GraphQL query, ours (bearer) vs unguarded, ${driver} (req/s)`, '≥ 0.95×', figures.bearer.median, figures.bearer.median >= 0.95);
      target(`GraphQL query, ours (bearer) vs unguarded by server CPU per request, ${driver}`, '≥ 0.95×', figures.bearer.byCpu, figures.bearer.byCpu >= 0.95);
      target(`GraphQL query, ours (session cookie) vs unguarded by server CPU per request, ${driver}`, '≥ 0.95×', figures.cookie.byCpu, figures.cookie.byCpu >= 0.95);
    }
  }
  if (parts.has('checks')) {
    const figures = benchCapabilityChecks(positive('BENCH_CHECK_ROUNDS', 5));
    console.log(figures.markdown);
    sections.push('## 3. Capability checks', '', figures.markdown);
    target('check cost at 10,000 vs 10 capabilities', '≤ 2×', figures.costAtLargest, figures.costAtLargest <= 2);
    target('closure build, 10,000 capabilities (ms)', '< 1,000', figures.buildAtLargestMs, figures.buildAtLargestMs < 1000, 0);
  }
  if (parts.has('store')) {
    const figures = await benchCapsStore();
    console.log(figures.markdown);
    sections.push('## 4. The caps.yaml store', '', figures.markdown);
    const load = figures.loadMs.get(100_000)!;
    target('caps.yaml load, 100,000 users (ms)', '< 2,000', load, load < 2000, 0);
    for (const users of [1_000, 10_000]) {
      const ratio = figures.burstRatio.get(users)!;
      target(`50 concurrent adds vs one add, ${thousands(users)} users`, '≤ 3×', ratio, ratio <= 3);
    }
  }
  if (parts.has('redis-route') || parts.has('redis') || parts.has('redis-scopes') || parts.has('redis-soak')) sections.push('## 5. Many instances on one Redis', '');
  if (parts.has('redis-route')) {
    // Loaded only when asked for: it needs a Redis (BENCH_REDIS_URL, default 127.0.0.1:6379).
    const { benchRedisRoute } = await import('./redis.bench.js');
    const figures = await benchRedisRoute({ ...http, rounds: positive('BENCH_REDIS_ROUNDS', http.rounds) });
    console.log(figures.markdown);
    sections.push(figures.markdown);
    for (const [adapter, ratio] of figures.redisVsFile) {
      target(`guarded route, Redis store vs file store, ${adapter}`, '≥ 0.98×', ratio.median, ratio.median >= 0.98);
      target(`guarded route, Redis store vs file store by server CPU per request, ${adapter}`, '≥ 0.98×', ratio.byCpu, ratio.byCpu >= 0.98);
    }
  }
  if (parts.has('redis')) {
    const { benchRedis } = await import('./redis.bench.js');
    const figures = await benchRedis({ changes: positive('BENCH_REDIS_CHANGES', 100) });
    console.log(figures.markdown);
    sections.push(figures.markdown);
    target('propagation to another instance, p50 (ms)', '< 10', figures.propagationP50, figures.propagationP50 < 10);
    target('propagation to another instance, p99 (ms)', '< 100', figures.propagationP99, figures.propagationP99 < 100);
  }
  if (parts.has('redis-scopes')) {
    const { benchRedisScopes } = await import('./redis-scopes.bench.js');
    const figures = await benchRedisScopes({ accounts: positive('BENCH_SCOPES_ACCOUNTS', 100_000), scopes: positive('BENCH_SCOPES', 10_000), perScope: positive('BENCH_SCOPES_PER_SCOPE', 100) });
    console.log(figures.markdown);
    sections.push(figures.markdown);
    target('instance start on 1,000,000 scoped grants in Redis (ms)', '≤ 10,000', figures.scopedOpenMs, figures.scopedOpenMs <= 10_000, 0);
    target('heap an instance adds for 1,000,000 scoped grants in Redis (MB, after GC; its RSS is in part 5)', '≤ 1,024', figures.scopedHeapMB, figures.scopedHeapMB <= 1024, 0);
  }
  if (parts.has('redis-soak')) {
    // BENCH_SOAK_SECONDS=20 for a try-out; whether memory settles shows only after a minute or more.
    const { benchRedisSoak } = await import('./soak.bench.js');
    const figures = await benchRedisSoak({ seconds: positive('BENCH_SOAK_SECONDS', 120), adapter: adapterOf('BENCH_SOAK_ADAPTER', 'express') });
    console.log(figures.markdown);
    sections.push(figures.markdown);
    // A zero counts only when there was something to count.
    target('soak: writes answered 200 that the store does not hold as answered (lost writes)', '= 0', figures.lostWrites, figures.lostWrites === 0 && figures.acknowledgedWrites > 0, 0);
    target('soak: reads later than 100 ms after an acknowledged write', '= 0', figures.lateReads, figures.lateReads === 0 && figures.checkedReads > 0, 0);
    target('soak: writes through the instance cut from Redis answered other than 503 STORE_UNAVAILABLE', '= 0', figures.cutWritesNot503, figures.cutWritesNot503 === 0 && figures.cutWrites > 0, 0);
  }
  if (parts.has('admin-page')) {
    // Loaded only when asked for: it pulls in the page's template.
    const { benchAdminPage } = await import('./admin-page.bench.js');
    const figures = benchAdminPage();
    console.log(figures.markdown);
    sections.push('## 6. The admin page', '', figures.markdown);
    const { largest } = figures;
    const slowest = Math.max(...largest.views.map((view) => view.medianMs));
    target(`admin page render, ${thousands(largest.size)} accounts, slowest view (ms of CPU, median)`, '≤ 50', slowest, slowest <= 50);
    target(`admin page first render after the store loads (sorts the accounts), ${thousands(largest.size)} accounts (ms of CPU)`, '≤ 50', largest.firstMs, largest.firstMs <= 50);
    target(`admin page render after a change, ${thousands(largest.size)} accounts (ms of CPU, median)`, '≤ 50', largest.afterChangeMs, largest.afterChangeMs <= 50);
    target(`admin page render after a change that flattens the grants, ${thousands(largest.size)} accounts (ms of CPU, worst)`, '≤ 50', largest.afterFlatteningMs, largest.afterFlatteningMs <= 50);
    const kilobytes = Math.max(...largest.views.map((view) => view.bytes)) / 1024;
    target(`admin page HTML, ${thousands(largest.size)} accounts (KB, largest view)`, '≤ 1,024', kilobytes, kilobytes <= 1024, 0);
    const kept = largest.keptBytes / 2 ** 20;
    target(`heap kept by 200 renders, ${thousands(largest.size)} accounts (MB)`, '< 1', kept, kept < 1);
  }
  if (parts.has('policy-tools')) {
    const { benchPolicyTools } = await import('./policy-tools.bench.js');
    const figures = benchPolicyTools();
    console.log(figures.markdown);
    sections.push('## 7. Explain, plan and policy tests', '', figures.markdown);
    target('explain, one call, 10,000 capabilities (µs of CPU)', '≤ 50', figures.explainMicros, figures.explainMicros <= 50, 1);
    target('plan, 100,000 accounts, 10,000 capabilities (ms of CPU, slower case)', '≤ 1,000', figures.planMs, figures.planMs <= 1000, 0);
    target('policy tests, 1,000 assertions (ms of CPU)', '≤ 1,000', figures.testsMs, figures.testsMs <= 1000, 0);
  }
  if (parts.has('scopes')) {
    const { benchScopedChecks } = await import('./scoped-checks.bench.js');
    const figures = await benchScopedChecks();
    console.log(figures.markdown);
    sections.push('## 8. Scoped capabilities', '', figures.markdown);
    target('a check held only at a scope, on a formed scope, vs a check without a scope (CPU per check)', '≤ 2×', figures.scopedOverGlobal, figures.scopedOverGlobal <= 2);
    target('1,000,000 random scoped checks on 1,000,000 grants, p99 (µs)', '≤ 1', figures.p99Micros, figures.p99Micros <= 1);
    target('holders at a scope, 1,000,000 grants (ms of CPU)', '≤ 50', figures.holdersMs, figures.holdersMs <= 50, 1);
    target('scopesOf an account, 1,000,000 grants (ms of CPU)', '≤ 50', figures.scopesOfMs, figures.scopesOfMs <= 50, 1);
    target('caps.yaml load, 100,000 scoped grants (ms of CPU)', '≤ 2,000', figures.fileLoadMs, figures.fileLoadMs <= 2000, 0);
  }
  if (parts.has('in-process')) {
    // Loaded only when asked for: it builds the apps of both adapters and both GraphQL drivers in this process.
    const { benchInProcess, IN_PROCESS_TARGETS } = await import('./in-process.bench.js');
    sections.push('## 9. What the guard adds to a request, measured in process', '');
    for (const adapter of ['fastify', 'express'] as AdapterName[]) {
      const figures = await benchInProcess(adapter, { rounds: positive('BENCH_IN_PROCESS_ROUNDS', 31), batchScale: positive('BENCH_IN_PROCESS_BATCH_SCALE', 1), takes: positive('BENCH_IN_PROCESS_TAKES', 3) });
      console.log(figures.markdown);
      sections.push(figures.markdown);
      for (const wanted of IN_PROCESS_TARGETS[adapter]) {
        const found = figures.added.get(wanted.variant);
        if (found === undefined) continue;
        const measured = wanted.kind === 'micros' ? found.micros.median : found.ratio.median;
        const met = wanted.kind === 'micros' ? measured <= wanted.limit : measured >= wanted.limit;
        target(`${wanted.what}, ${adapter}, in process`, wanted.kind === 'micros' ? `≤ ${wanted.limit} µs` : `≥ ${wanted.limit}×`, measured, met, wanted.kind === 'micros' ? 2 : 3);
      }
    }
  }
  if (parts.has('clients')) {
    // Loaded only when asked for: it pulls in Nest and the whole module.
    const { benchClientCredentials } = await import('./client-credentials.bench.js');
    sections.push('## 10. OAuth 2.0 client-credentials grants over HTTP', '');
    for (const adapter of ['express', 'fastify'] as AdapterName[]) {
      const figures = await benchClientCredentials(adapter, http);
      console.log(figures.markdown);
      sections.push(figures.markdown);
      target(`client-credentials grants per second of server CPU, HS256, ${adapter}`, '≥ 2,000', figures.grantsPerCpuSecond, figures.grantsPerCpuSecond >= 2000, 0);
    }
  }
  const minutes = ((Date.now() - started) / 60_000).toFixed(1);
  const document = [
    '# Benchmark results',
    '',
    `The latest figures of \`${COMMAND}\` (written by the run itself, ${new Date().toISOString().slice(0, 16)} UTC, ${minutes} min; this run: \`${command}\`).`,
    'Servers under test run in child processes on 127.0.0.1; autocannon runs in the parent.',
    '',
    machine(),
    '',
    '## Targets',
    '',
    table(['target', 'wanted', 'this run', ''], targets),
    '',
    ...sections,
    closingNote(),
  ].join('\n');
  // BENCH_RESULTS names another file for the document of any run, a partial one included (a preview).
  const preview = process.env['BENCH_RESULTS'];
  if (preview !== undefined) {
    writeFileSync(preview, document);
    console.log(`figures written to ${preview}`);
  } else if (parts.size === ALL_PARTS.length && process.env['BENCH_WRITE'] !== 'false') {
    writeFileSync(RESULTS, document);
    console.log(`figures written to ${RESULTS}`);
  } else {
    const why = parts.size === ALL_PARTS.length ? 'BENCH_WRITE=false' : 'a partial run';
    console.log(`\n${table(['target', 'wanted', 'this run', ''], targets)}\n\n(${why}: ${RESULTS} left as it was; BENCH_RESULTS=<file> writes the document there)`);
  }

}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.stack : error);
  process.exit(1);
});
