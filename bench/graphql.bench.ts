import { BENCH_GRAPHQL_PATH, BENCH_GRAPHQL_QUERIES, graphqlExchange } from './graphql-apps';
import { credentialsOf, startChild, type AdapterName, type Versus } from './http.bench';
import { byCpu, CPU_NOTE, measureInterleaved, perRoundRatios, ratioTable, type Measured, type RoundsOptions, type Target, type Variant } from './rounds';
import { fixed } from './stats';

const DRIVER: Record<AdapterName, string> = { express: 'Apollo on Express', fastify: 'Mercurius on Fastify' };

/** What the GraphQL part found on one adapter: its section, and guarded vs unguarded for each credential. */
export interface GraphqlFigures {
  readonly markdown: string;
  readonly bearer: Versus;
  readonly cookie: Versus;
}

/** The same query, guarded by `@RequireCapability` and not, in one server process, as ratios in the same run. */
export async function benchGraphql(adapter: AdapterName, options: RoundsOptions): Promise<GraphqlFigures> {
  const { child, ready } = await startChild(adapter, 'graphql-one-process');
  try {
    const target: Target = { url: `http://127.0.0.1:${ready.port}${BENCH_GRAPHQL_PATH}`, server: child };
    const { cookie, token } = await credentialsOf(target);
    const bearer = { authorization: `Bearer ${token}` };
    // The cookie with the app's own Origin, as its pages send a POST: the cross-site check passes.
    const withCookie = { cookie, origin: new URL(target.url).origin };
    const query = (name: string, label: string, field: string, headers: Record<string, string>): [Variant, Target] => {
      const { body, answer } = graphqlExchange(field);
      return [{ name, label, method: 'POST', body, expectBody: answer, headers: { 'content-type': 'application/json', ...headers } }, target];
    };
    const { open, allowAll, ours } = BENCH_GRAPHQL_QUERIES;
    const measured = await measureInterleaved(
      [
        query('open-bearer', 'query without a guard, bearer token sent (the limit)', open, bearer),
        query('allow-all', "query with a guard that returns true (Nest's guard pipeline alone), bearer token sent", allowAll, bearer),
        query('ours-bearer', 'ours: `@RequireCapability` + bearer token', ours, bearer),
        query('open-cookie', 'query without a guard, session cookie sent (the limit for the cookie)', open, withCookie),
        query('ours-cookie', 'ours: `@RequireCapability` + session cookie', ours, withCookie),
      ],
      options,
    );
    return report(adapter, measured, options);
  } finally {
    child.disconnect();
  }
}

function report(adapter: AdapterName, measured: readonly Measured[], options: RoundsOptions): GraphqlFigures {
  const find = (name: string): Measured => measured.find((entry) => entry.variant.name === name)!;
  const versus = (name: string, base: string): Versus => ({ median: perRoundRatios(find(name), find(base)).median, byCpu: byCpu(find(name), find(base)) });
  const cookie = versus('ours-cookie', 'open-cookie');
  const markdown = [
    `### ${DRIVER[adapter]}`,
    '',
    `\`POST /graphql\` in one server process: \`${graphqlExchange(BENCH_GRAPHQL_QUERIES.open).operation}\` without a guard, the same resolver as \`pass\` behind a guard that returns true and as \`ours\` behind ours (\`@UseGuards(CapabilityGuard)\`, \`@RequireCapability('read')\`), each asked with the same credentials; ${options.rounds} interleaved rounds × ${options.seconds} s per variant, ${options.connections} connections, every answer 200 with exactly the expected data. ${CPU_NOTE}`,
    '',
    ratioTable(measured, find('open-bearer'), 'open query'),
    '',
    `The cookie against the open query asked with the same cookie: **${fixed(cookie.median)}×** by req/s, **${fixed(cookie.byCpu)}×** by server CPU per request (medians of the rounds).`,
    '',
  ].join('\n');
  return { markdown, bearer: versus('ours-bearer', 'open-bearer'), cookie };
}
