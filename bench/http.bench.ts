import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { HttpClient } from '../test/support/http-client';
import { BENCH_PATH, BENCH_USER, ONE_PROCESS_PATHS, type AppName } from './apps';
import type { GraphqlAppName } from './graphql-apps';
import type { ChildReady } from './http-server.child';
import { byCpu, CPU_NOTE, measureInterleaved, perRoundRatios, ratioTable, type Measured, type RoundsOptions, type Target, type Variant } from './rounds';
import { fixed } from './stats';

export type AdapterName = 'express' | 'fastify';

export type HttpBenchOptions = RoundsOptions;

const APPS: readonly AppName[] = ['unguarded', 'allow-all', 'ours', 'recipe-key', 'recipe-string', 'one-process'];
const CHILD = join(__dirname, 'http-server.child.js');

/** A ratio to a baseline: the median of the rounds' req/s ratios, and of their CPU-per-request ratios. */
export interface Versus {
  readonly median: number;
  readonly byCpu: number;
}

/** What part 1 found on one adapter: its section, and the ratios the targets speak of (medians of rounds). */
export interface HttpFigures {
  readonly markdown: string;
  readonly oursVsLimit: number;
  readonly oursVsRecipeKey: number;
  readonly oursVsRecipeString: number;
  /** The same ratios from the server's CPU time per request. */
  readonly oursVsLimitByCpu: number;
  readonly oursVsRecipeKeyByCpu: number;
  readonly oursVsRecipeStringByCpu: number;
  /** In one process: our route vs the open route, with a bearer token and with a session cookie (median of rounds, and by CPU). */
  readonly oneProcess: { readonly bearer: Versus; readonly cookie: Versus };
  /** An API key vs a user token on the same route, same run (median of rounds, and by CPU). */
  readonly keyVsToken: number;
  readonly keyVsTokenByCpu: number;
}

/** Part 1: requests/s of each variant on `adapter`, as ratios to the unguarded route in the same run. */
export async function benchHttp(adapter: AdapterName, options: HttpBenchOptions): Promise<HttpFigures> {
  const children = new Map<AppName, { child: ChildProcess; ready: ChildReady }>();
  try {
    for (const app of APPS) children.set(app, await startChild(adapter, app));
    const target = (app: AppName): Target => ({ url: `http://127.0.0.1:${children.get(app)!.ready.port}${BENCH_PATH}`, server: children.get(app)!.child });
    const oneProcess = await measureInterleaved(await oneProcessVariants(children.get('one-process')!), options);
    const variants = await prepareVariants(children, target);
    return report(adapter, await measureInterleaved(variants, options), oneProcess, options);
  } finally {
    for (const { child } of children.values()) child.disconnect();
  }
}

/** The credentials of the bench user on our app `target`: a session cookie (from the development sign-in) and a bearer token. */
export async function credentialsOf(target: Target): Promise<{ cookie: string; token: string }> {
  const client = new HttpClient(new URL(target.url).origin);
  const signIn = await client.signIn(BENCH_USER);
  if (signIn.status !== 302) throw new Error(`the development sign-in answered ${signIn.status}: ${signIn.text}`);
  const cookie = [...client.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  return { cookie, token: await client.token() };
}

/**
 * The routes of the one-process app, each with the same credentials, so that the only
 * difference between two variants is the guard on the route.
 */
async function oneProcessVariants({ child, ready }: { child: ChildProcess; ready: ChildReady }): Promise<[Variant, Target][]> {
  const at = (path: string): Target => ({ url: `http://127.0.0.1:${ready.port}${path}`, server: child });
  const { cookie, token } = await credentialsOf(at(ONE_PROCESS_PATHS.open));
  const bearer = { authorization: `Bearer ${token}` };
  return [
    [{ name: 'open-bearer', label: 'route without a guard, bearer token sent (the limit)', headers: bearer }, at(ONE_PROCESS_PATHS.open)],
    [{ name: 'allow-all', label: "route with a guard that returns true (Nest's guard pipeline alone), bearer token sent", headers: bearer }, at(ONE_PROCESS_PATHS.allowAll)],
    [{ name: 'ours-bearer', label: 'ours: `@RequireCapability` + bearer token', headers: bearer }, at(ONE_PROCESS_PATHS.ours)],
    [{ name: 'open-cookie', label: 'route without a guard, session cookie sent (the limit for the cookie)', headers: { cookie } }, at(ONE_PROCESS_PATHS.open)],
    [{ name: 'ours-cookie', label: 'ours: `@RequireCapability` + session cookie', headers: { cookie } }, at(ONE_PROCESS_PATHS.ours)],
  ];
}

async function prepareVariants(children: Map<AppName, { ready: ChildReady }>, target: (app: AppName) => Target): Promise<[Variant, Target][]> {
  const { cookie, token } = await credentialsOf(target('ours'));
  const recipe = (app: AppName): Record<string, string> => ({ authorization: `Bearer ${children.get(app)!.ready.recipeToken!}` });
  return [
    [{ name: 'unguarded', label: 'unguarded route (the limit)', headers: {} }, target('unguarded')],
    [{ name: 'allow-all', label: "a guard that returns true (Nest's guard pipeline alone)", headers: {} }, target('allow-all')],
    [{ name: 'ours-bearer', label: 'ours: `@RequireCapability` + bearer token', headers: { authorization: `Bearer ${token}` } }, target('ours')],
    [{ name: 'ours-cookie', label: 'ours: `@RequireCapability` + session cookie', headers: { cookie } }, target('ours')],
    [{ name: 'ours-key', label: 'ours: `@RequireCapability` + API key', headers: { authorization: `Bearer ${children.get('ours')!.ready.apiKey!}` } }, target('ours')],
    [{ name: 'recipe-key', label: 'docs recipe (passport-jwt + RolesGuard), KeyObject secret', headers: recipe('recipe-key') }, target('recipe-key')],
    [{ name: 'recipe-string', label: 'docs recipe (passport-jwt + RolesGuard), string secret', headers: recipe('recipe-string') }, target('recipe-string')],
  ];
}

function report(adapter: AdapterName, measured: readonly Measured[], oneProcess: readonly Measured[], options: HttpBenchOptions): HttpFigures {
  const find = (name: string): Measured => measured.find((entry) => entry.variant.name === name)!;
  const findOne = (name: string): Measured => oneProcess.find((entry) => entry.variant.name === name)!;
  const versus = (entry: Measured, base: Measured): Versus => ({ median: perRoundRatios(entry, base).median, byCpu: byCpu(entry, base) });
  const limit = find('unguarded');
  const ours = find('ours-bearer');
  const key = find('ours-key');
  const markdown = [
    `### ${adapter}`,
    '',
    `${options.rounds} interleaved rounds × ${options.seconds} s per variant, ${options.connections} connections, every answer 2xx. ${CPU_NOTE}`,
    '',
    `**In one process**: three routes of one app, the same handler without a guard, behind a guard that returns true, and behind ours (\`@UseGuards(CapabilityGuard)\`, \`@RequireCapability('read')\`), each asked with the same credentials. What the guard adds, free of the differences between two server processes.`,
    '',
    ratioTable(oneProcess, findOne('open-bearer'), 'open route'),
    '',
    `The cookie against the open route asked with the same cookie: **${fixed(perRoundRatios(findOne('ours-cookie'), findOne('open-cookie')).median)}×** by req/s, **${fixed(byCpu(findOne('ours-cookie'), findOne('open-cookie')))}×** by server CPU per request (medians of the rounds).`,
    '',
    '**One app per process**: each variant in a server process of its own, our guard global (the default), and the docs recipe beside it.',
    '',
    ratioTable(measured, limit, 'unguarded'),
    '',
    `Ours (bearer) vs the docs recipe, median of the rounds: **${fixed(perRoundRatios(ours, find('recipe-key')).median)}×** with a KeyObject secret, **${fixed(perRoundRatios(ours, find('recipe-string')).median)}×** with a string secret.`,
    '',
    `An API key vs a user token on the same route, median of the rounds: **${fixed(perRoundRatios(key, ours).median)}×** (by server CPU per request: ${fixed(byCpu(key, ours))}×).`,
    '',
  ].join('\n');
  return {
    markdown,
    oursVsLimit: perRoundRatios(ours, limit).median,
    oursVsRecipeKey: perRoundRatios(ours, find('recipe-key')).median,
    oursVsRecipeString: perRoundRatios(ours, find('recipe-string')).median,
    oursVsLimitByCpu: byCpu(ours, limit),
    oursVsRecipeKeyByCpu: byCpu(ours, find('recipe-key')),
    oursVsRecipeStringByCpu: byCpu(ours, find('recipe-string')),
    oneProcess: { bearer: versus(findOne('ours-bearer'), findOne('open-bearer')), cookie: versus(findOne('ours-cookie'), findOne('open-cookie')) },
    keyVsToken: perRoundRatios(key, ours).median,
    keyVsTokenByCpu: byCpu(key, ours),
  };
}

export function startChild(adapter: AdapterName, app: AppName | GraphqlAppName): Promise<{ child: ChildProcess; ready: ChildReady }> {
  return new Promise((resolve, reject) => {
    const child = fork(CHILD, [adapter, app], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error(`the ${app} app on ${adapter} did not start within 30 s`));
    }, 30_000);
    child.once('message', (ready: ChildReady) => {
      clearTimeout(timer);
      resolve({ child, ready });
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the ${app} app on ${adapter} exited with ${code} before listening`));
    });
  });
}
