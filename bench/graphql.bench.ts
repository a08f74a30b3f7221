import type { ChildProcess } from 'node:child_process';
import { BENCH_GRAPHQL_ANSWER, BENCH_GRAPHQL_OPERATION, BENCH_GRAPHQL_PATH, BENCH_GRAPHQL_QUERY, type GraphqlAppName } from './graphql-apps';
import { credentialsOf, startChild, type AdapterName } from './http.bench';
import type { ChildReady } from './http-server.child';
import { byCpu, CPU_NOTE, measureInterleaved, perRoundRatios, ratioTable, type Measured, type RoundsOptions, type Target, type Variant } from './rounds';

const APPS: readonly GraphqlAppName[] = ['graphql-unguarded', 'graphql-allow-all', 'graphql-ours'];
const DRIVER: Record<AdapterName, string> = { express: 'Apollo on Express', fastify: 'Mercurius on Fastify' };

/** What the GraphQL part found on one adapter: its section, and guarded vs unguarded for each credential. */
export interface GraphqlFigures {
  readonly markdown: string;
  readonly bearer: { readonly median: number; readonly byCpu: number };
  readonly cookie: { readonly median: number; readonly byCpu: number };
}

/** The same query, guarded by `@RequireCapability` and not, as ratios in the same run. */
export async function benchGraphql(adapter: AdapterName, options: RoundsOptions): Promise<GraphqlFigures> {
  const children = new Map<GraphqlAppName, { child: ChildProcess; ready: ChildReady }>();
  try {
    for (const app of APPS) children.set(app, await startChild(adapter, app));
    const target = (app: GraphqlAppName): Target => ({ url: `http://127.0.0.1:${children.get(app)!.ready.port}${BENCH_GRAPHQL_PATH}`, server: children.get(app)!.child });
    const ours = target('graphql-ours');
    const { cookie, token } = await credentialsOf(ours);
    // A POST from the app's own pages, as a browser sends it: the cross-site check passes.
    const query = (name: string, label: string, headers: Record<string, string>): Variant => ({
      name,
      label,
      method: 'POST',
      body: BENCH_GRAPHQL_QUERY,
      expectBody: BENCH_GRAPHQL_ANSWER,
      headers: { 'content-type': 'application/json', ...headers },
    });
    const variants: [Variant, Target][] = [
      [query('unguarded', 'unguarded query (the limit)', {}), target('graphql-unguarded')],
      [query('allow-all', "a guard that returns true (Nest's guard pipeline alone)", {}), target('graphql-allow-all')],
      [query('ours-bearer', 'ours: `@RequireCapability` + bearer token', { authorization: `Bearer ${token}` }), ours],
      [query('ours-cookie', 'ours: `@RequireCapability` + session cookie', { cookie, origin: new URL(ours.url).origin }), ours],
    ];
    const measured = await measureInterleaved(variants, options);
    return report(adapter, measured, options);
  } finally {
    for (const { child } of children.values()) child.disconnect();
  }
}

function report(adapter: AdapterName, measured: readonly Measured[], options: RoundsOptions): GraphqlFigures {
  const find = (name: string): Measured => measured.find((entry) => entry.variant.name === name)!;
  const limit = find('unguarded');
  const versus = (name: string): { median: number; byCpu: number } => ({ median: perRoundRatios(find(name), limit).median, byCpu: byCpu(find(name), limit) });
  const markdown = [
    `### ${DRIVER[adapter]}`,
    '',
    `\`POST /graphql\` with \`${BENCH_GRAPHQL_OPERATION}\`, the query marked \`@RequireCapability('read')\` or not; ${options.rounds} interleaved rounds × ${options.seconds} s per variant, ${options.connections} connections, every answer 200 with exactly the expected data. ${CPU_NOTE}`,
    '',
    ratioTable(measured, limit, 'unguarded'),
    '',
  ].join('\n');
  return { markdown, bearer: versus('ours-bearer'), cookie: versus('ours-cookie') };
}
