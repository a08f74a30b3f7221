import { CapabilityGraph } from '../src/capabilities/capability-graph';
import { CapabilityPolicy } from '../src/capabilities/capability-policy';
import { flattenedFrom, layersOf } from '../src/capabilities/layered-grants';
import { adminPage } from '../src/http/pages/admin-page.view';
import { adminViewOf, listPage } from '../src/http/pages/admin-view';
import { collectGarbage, fixed, median, table, thousands } from './stats';

const SIZES = [1_000, 100_000] as const;
const REPEATS = 21;
const CHANGES = 50;
/** Views of the page, as their query strings ask for them. */
const VIEWS: readonly (readonly [string, Readonly<Record<string, string>>])[] = [
  ['first page', {}],
  ['a page in the middle', { page: 'middle' }],
  ['search "user9"', { email: 'user9' }],
  ['holders of `moderate`', { capability: 'moderate' }],
  ['search "99", holders of `moderate`, page 2', { email: '99', capability: 'moderate', page: '2' }],
];

const GRAPH = CapabilityGraph.build(
  new Map([
    ['read', []],
    ['write', ['read']],
    ['moderate', ['write']],
    ['user_management', []],
  ]),
  { autoAdmin: true },
);

/** `size` accounts as the store benchmark writes them (every tenth moderates), one in twenty a service account. */
function policyOf(size: number): CapabilityPolicy {
  const users = new Map<string, readonly string[]>();
  for (let user = 0; user < size; user++) users.set(user % 20 === 0 ? `robot${user}@service` : `user${user}@example.com`, [user % 10 === 0 ? 'moderate' : 'write']);
  users.set('root@example.com', ['admin']);
  return new CapabilityPolicy({ graph: GRAPH, defaults: ['read'], guest: [], users, pinned: new Map([['ops@example.com', ['admin']]]) });
}

/** The page as the controller renders it for an admin: the same view, lists and template. */
function render(policy: CapabilityPolicy, query: Readonly<Record<string, string>>): string {
  const view = adminViewOf(query);
  const people = listPage(policy, view, 'people');
  const services = listPage(policy, view, 'services');
  return adminPage({
    manager: 'root@example.com',
    policy,
    grantable: [...GRAPH.names].sort(),
    view: { ...view, page: people.page, servicesPage: services.page },
    accounts: people.accounts,
    services: services.accounts,
    keys: [],
    clients: [],
    audit: [],
    keysMayNeverExpire: false,
    action: '/manage_capabilities',
  });
}

/** Milliseconds of CPU (user + system, the collector's threads included) that `work` takes, and its result. */
function cpu<T>(work: () => T): [number, T] {
  const started = process.cpuUsage();
  const result = work();
  const used = process.cpuUsage(started);
  return [(used.user + used.system) / 1000, result];
}

interface SizeFigures {
  readonly size: number;
  readonly firstMs: number;
  readonly indexBytes: number;
  readonly views: readonly { readonly name: string; readonly medianMs: number; readonly maxMs: number; readonly bytes: number }[];
  readonly afterChangeMs: number;
  readonly afterFlatteningMs: number;
  readonly flattenings: number;
  readonly keptBytes: number;
}

function measure(size: number): SizeFigures {
  let policy = policyOf(size);
  const middle = String(Math.ceil(size / 2 / 50));
  const queries = VIEWS.map(([name, query]) => [name, query['page'] === 'middle' ? { ...query, page: middle } : query] as const);
  collectGarbage();
  const before = process.memoryUsage().heapUsed;
  const [firstMs] = cpu(() => render(policy, {}));
  collectGarbage();
  const indexBytes = process.memoryUsage().heapUsed - before;
  const views = queries.map(([name, query]) => {
    const times: number[] = [];
    let bytes = 0;
    for (let repeat = 0; repeat < REPEATS; repeat++) {
      const [ms, html] = cpu(() => render(policy, query));
      times.push(ms);
      bytes = Buffer.byteLength(html);
    }
    return { name, medianMs: median(times), maxMs: Math.max(...times), bytes };
  });
  // What stays in memory after many renders of the same store: nothing a render makes is kept.
  collectGarbage();
  const settled = process.memoryUsage().heapUsed;
  for (let repeat = 0; repeat < 200; repeat++) render(policy, queries[repeat % queries.length]![1]);
  collectGarbage();
  const keptBytes = process.memoryUsage().heapUsed - settled;
  // A form's change, then the page it answers: a layer of changed accounts over the shared index.
  const afterChange: number[] = [];
  for (let change = 0; change < CHANGES; change++) {
    policy = policy.withUser(`user${change * 17 + 1}@example.com`, ['user_management']);
    afterChange.push(cpu(() => render(policy, { capability: 'user_management' }))[0]);
  }
  // Every √n changes the layer is flattened into a new map, and the index carried over to it.
  const flattening: number[] = [];
  for (let change = CHANGES; flattening.length < 3; change++) {
    policy = policy.withUser(`new${change}@example.com`, ['write']);
    const [ms] = cpu(() => render(policy, { capability: 'user_management' }));
    if (layersOf(policy.users).changes.size === 0 && flattenedFrom(policy.users) !== undefined) flattening.push(ms);
  }
  return { size, firstMs, indexBytes, views, afterChangeMs: median(afterChange), afterFlatteningMs: Math.max(...flattening), flattenings: flattening.length, keptBytes };
}

/** Part 4b: the admin page at 1,000 and 100,000 accounts: CPU per render, size, memory. */
export function benchAdminPage(): { markdown: string; largest: SizeFigures } {
  const figures = SIZES.map(measure);
  const rows = figures.flatMap((size) => [
    ...size.views.map((view) => [thousands(size.size), view.name, fixed(view.medianMs), fixed(view.maxMs), thousands(view.bytes / 1024)]),
    [thousands(size.size), `first render after a load (sorts the accounts once per shared map: ${fixed(size.indexBytes / 2 ** 20, 1)} MB kept)`, fixed(size.firstMs), '', ''],
    [thousands(size.size), `after a change (median of ${CHANGES})`, fixed(size.afterChangeMs), '', ''],
    [thousands(size.size), `after a change that flattens the layer (worst of ${size.flattenings}; index carried over)`, fixed(size.afterFlatteningMs), '', ''],
    [thousands(size.size), `heap kept by 200 renders`, '', '', `${fixed(size.keptBytes / 1024, 0)} KB`],
  ]);
  const markdown = [
    `The page as its controller renders it for an admin (\`listPage\` for both lists, then the template), in process; ${REPEATS} renders of each view, 50 accounts a page. CPU: user + system time of the process, the collector's threads included.`,
    '',
    table(['accounts', 'render', 'CPU ms (median)', 'CPU ms (max)', 'HTML KB'], rows),
    '',
  ].join('\n');
  return { markdown, largest: figures[figures.length - 1]! };
}
