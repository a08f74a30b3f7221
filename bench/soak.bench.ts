import { readFileSync } from 'node:fs';
import { Agent } from 'node:http';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { redisKeys } from '../src/stores/redis/redis-keys';
import { bakeryCaps } from '../test/fixtures/caps-texts';
import { waitUntil } from '../test/fixtures/wait-until';
import { startExampleProcess, type ExampleProcess } from '../test/support/example-process';
import { freePort } from '../test/support/free-port';
import { HttpClient, type Reply } from '../test/support/http-client';
import { deleteKeys } from '../test/support/redis-test';
import { TcpProxy } from '../test/support/tcp-proxy';
import type { AdapterName } from './http.bench';
import { canonical, inverse, READ_ROUTES, routeBit, sameSet, SOAK_CAPABILITIES, type Edit, type WriteRecord } from './soak-checks';
import { askGuarded, ReadLog } from './soak-reads';
import { soakReport, type Life, type SoakEvents, type SoakFigures } from './soak-report';

export type { SoakFigures } from './soak-report';

const REDIS_URL = process.env['BENCH_REDIS_URL'] ?? 'redis://127.0.0.1:6379/0';
const READERS = 30;
const WRITES_PER_SECOND = 20;
const ACCOUNTS = 16;
const CUT_MS = 3_000;
/** How long the load goes on at least once the cut instance is current again, for its reads to be checked. */
const AFTER_CATCH_UP_MS = 2_000;
/** Of the manager's writes: the share chosen to be no-ops on the store's state, and the share followed at once by their inverse through another instance. */
const NO_OP_SHARE = 0.3;
const PAIR_SHARE = 0.35;
/** Where in the run instance B is killed and instance C is cut from Redis. */
const KILL_AT = 0.3;
const CUT_AT = 0.6;
const MANAGER = 'manager@example.com';
/** An account no reader asks for: written through A just before C's Redis comes back, it tells when C has caught up. */
const MARKER = 'marker@example.com';
const MARKED = ['bake'];
const INITIAL_LISTS = [['read'], ['bake'], ['arrest', 'racket'], []];

export interface SoakOptions {
  readonly seconds: number;
  readonly adapter: AdapterName;
}

/** One of the three instances behind the load balancer the bench plays; a restart begins a new life. */
interface Instance {
  readonly name: string;
  process: ExampleProcess;
  manager: HttpClient;
  agent: Agent;
  life: number;
  up: boolean;
  /** Requests sent to it and not yet answered: it is killed only once none is left. */
  inflight: number;
}

/**
 * Three example-app instances on one Redis prefix under read load, with a manager
 * writing grants, one instance killed and restarted, another cut from Redis for 3 s:
 * requests/s, acknowledged writes the store does not hold, late reads, writes the
 * cut instance did not refuse, and each instance's RSS over time.
 */
export async function benchRedisSoak(options: SoakOptions): Promise<SoakFigures> {
  if (options.seconds < 15)
    throw new Error(`BENCH_SOAK_SECONDS must be at least 15 (the kill, the cut and the catch-up take that long), got ${options.seconds}`);
  const prefix = `nest-capabilities-bench:${process.pid}:soak:`;
  const redisAt = new URL(REDIS_URL);
  const proxy = await TcpProxy.listen({ host: redisAt.hostname, port: Number(redisAt.port || 6379) });
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  const soak = new Soak(options, redis, prefix, proxy);
  try {
    return await soak.run();
  } finally {
    await soak.stop();
    await proxy.close();
    redis.disconnect();
    await deleteKeys(prefix);
  }
}

class Soak {
  private readonly accounts = Array.from({ length: ACCOUNTS }, (_, index) => `reader${index}@example.com`);
  private readonly caps = bakeryCaps({
    comment: 'The soak: a manager, the accounts the readers ask with, and the catch-up marker',
    users: [
      `${MANAGER}: [admin]`,
      `${MARKER}: [read]`,
      ...this.accounts.map((email, index) => `${email}: [${INITIAL_LISTS[index % INITIAL_LISTS.length]!.join(', ')}]`),
    ],
  });
  private readonly usersKey: string;
  private readonly started: ExampleProcess[] = [];
  private readonly instances: Instance[] = [];
  private up: Instance[] = [];
  /** The instance cut from Redis, and whether it is cut now. */
  private cut: Instance | undefined;
  private cutting = false;
  private readonly lives: Life[] = [];
  private readonly samples: { at: number; mb: (number | undefined)[] }[] = [];
  private readonly reads = new ReadLog();
  private readonly writes: WriteRecord[] = [];
  /** The store's list of each account after the newest write, read from Redis (a promise while the read is under way). */
  private readonly store = new Map<string, Promise<string[]>>();
  private readonly initial = new Map<string, string[]>();
  private readonly recording: Promise<void>[] = [];
  private recordingFailed: unknown;
  private readerTokens: string[] = [];
  private managerToken = '';
  private readonly env: Record<string, string>;
  private startedAt = 0;
  private stopAt = Number.POSITIVE_INFINITY;
  private readonly events: SoakEvents = {
    killAt: Number.NaN,
    restartMs: Number.NaN,
    cutAt: Number.NaN,
    restoredAt: Number.NaN,
    currentAgainAt: Number.NaN,
    cutLife: -1,
  };

  constructor(
    private readonly options: SoakOptions,
    private readonly redis: Redis,
    prefix: string,
    private readonly proxy: TcpProxy,
  ) {
    this.usersKey = redisKeys(prefix).users;
    this.env = { REDIS_PREFIX: prefix, HTTP_ADAPTER: options.adapter };
  }

  async run(): Promise<SoakFigures> {
    // One BASE_URL for all, as behind a load balancer: tokens are valid on every instance.
    this.env['BASE_URL'] = `http://127.0.0.1:${await freePort()}`;
    const throughProxy = new URL(REDIS_URL);
    throughProxy.hostname = '127.0.0.1';
    throughProxy.port = String(this.proxy.port);
    // One after the other: the first imports the accounts of the file.
    const a = await this.startInstance('A', REDIS_URL);
    const b = await this.startInstance('B', REDIS_URL);
    const c = await this.startInstance('C', throughProxy.toString());
    this.cut = c;
    this.events.cutLife = c.life;
    await this.signIn(a);
    for (const account of this.accounts) {
      const list = await this.readStore(account);
      this.initial.set(account, list);
      this.store.set(account, Promise.resolve(list));
    }

    const ms = this.options.seconds * 1000;
    this.startedAt = performance.now();
    this.sampleMemory();
    const sampleEveryMs = Math.max(1000, ms / 24);
    const sampler = setInterval(() => this.sampleMemory(), sampleEveryMs);
    try {
      const events = (async (): Promise<void> => {
        await sleepUntil(this.startedAt + KILL_AT * ms);
        await this.killAndRestart(b);
        await sleepUntil(this.startedAt + CUT_AT * ms);
        await this.cutFromRedis(c, a);
        // The load goes on for the run's length, and a while after C is current again, whatever the events took.
        await sleepUntil(Math.max(this.startedAt + ms, performance.now() + AFTER_CATCH_UP_MS));
        this.stopAt = performance.now();
      })();
      await Promise.all([...Array.from({ length: READERS }, () => this.reader()), this.manager(), events]);
      this.sampleMemory();
    } finally {
      clearInterval(sampler);
    }
    await Promise.all(this.recording);
    if (this.recordingFailed !== undefined) throw new Error('the store could not be read around a write', { cause: this.recordingFailed });
    this.writes.sort((x, y) => x.sentAt - y.sentAt);
    return soakReport({
      seconds: this.options.seconds,
      adapter: this.options.adapter,
      design: {
        readers: READERS,
        writesPerSecond: WRITES_PER_SECOND,
        noOpShare: NO_OP_SHARE,
        pairShare: PAIR_SHARE,
        cutMs: CUT_MS,
        afterCatchUpMs: AFTER_CATCH_UP_MS,
        sampleEveryMs,
      },
      accounts: this.accounts,
      initial: this.initial,
      reads: this.reads,
      writes: this.writes,
      lives: this.lives,
      samples: this.samples,
      events: this.events,
      startedAt: this.startedAt,
      loadMs: this.stopAt - this.startedAt,
      final: await this.finalState(),
    });
  }

  /** Ends the load, then every process the soak started (the killed one is gone already). */
  async stop(): Promise<void> {
    this.stopAt = 0;
    for (const instance of this.instances) instance.agent.destroy();
    for (const started of this.started) await started.stop();
  }

  private async startInstance(name: string, redisUrl: string): Promise<Instance> {
    const started = await this.startProcess(name, redisUrl);
    const instance: Instance = {
      name,
      process: started,
      manager: new HttpClient(started.url),
      agent: new Agent({ keepAlive: true, maxSockets: READERS }),
      life: this.lives.length - 1,
      up: true,
      inflight: 0,
    };
    this.instances.push(instance);
    this.up.push(instance);
    return instance;
  }

  private async startProcess(label: string, redisUrl: string): Promise<ExampleProcess> {
    const started = await startExampleProcess(this.caps, { ...this.env, REDIS_URL: redisUrl });
    this.started.push(started);
    this.lives.push({ label });
    return started;
  }

  private async signIn(instance: Instance): Promise<void> {
    const tokenOf = async (email: string): Promise<string> => {
      const client = new HttpClient(instance.process.url);
      const signedIn = await client.signIn(email);
      if (signedIn.status !== 302) throw new Error(`the development sign-in of ${email} answered ${signedIn.status}: ${signedIn.text}`);
      return client.token();
    };
    this.managerToken = await tokenOf(MANAGER);
    for (const known of this.instances) known.manager = known.manager.withToken(this.managerToken);
    this.readerTokens = await Promise.all(this.accounts.map(tokenOf));
  }

  /** One of the readers: a guarded route for a random account through a random instance, again and again. */
  private async reader(): Promise<void> {
    while (performance.now() < this.stopAt) {
      const instance = pick(this.up);
      if (instance === undefined) {
        await sleep(5);
        continue;
      }
      const account = Math.floor(Math.random() * ACCOUNTS);
      const route = READ_ROUTES[Math.floor(Math.random() * READ_ROUTES.length)]!;
      const { life } = instance;
      instance.inflight += 1;
      const askedAt = performance.now();
      const { status, outcome } = await askGuarded(instance.agent, instance.process.port, `/${route}`, this.readerTokens[account]!);
      const answeredAt = performance.now();
      instance.inflight -= 1;
      this.reads.push(account, routeBit(route), life, status, outcome, askedAt, answeredAt);
    }
  }

  /**
   * The manager: about WRITES_PER_SECOND writes a second, some followed at once by their
   * inverse through another instance. The writes on one account go one at a time, so the
   * order of their answers is the store's; a slow answer holds up its account only.
   */
  private async manager(): Promise<void> {
    // An operation is one write, or two when its inverse follows.
    const interval = (1000 * (1 + PAIR_SHARE)) / WRITES_PER_SECOND;
    const running = new Map<string, Promise<void>>();
    let due = performance.now();
    for (;;) {
      due = Math.max(due + interval, performance.now() - interval);
      await sleepUntil(due);
      if (performance.now() >= this.stopAt) break;
      const account = pick(this.accounts.filter((each) => !running.has(each)));
      if (account === undefined) continue;
      running.set(
        account,
        this.operate(account).finally(() => running.delete(account)),
      );
    }
    await Promise.all(running.values());
  }

  private async operate(account: string): Promise<void> {
    const before = await this.store.get(account)!;
    const edit = chooseEdit(before);
    const first = this.pickForWrite(undefined);
    if (first === undefined) return;
    await this.write(first, account, edit, false);
    if (Math.random() >= PAIR_SHARE) return;
    const second = this.pickForWrite(first);
    if (second !== undefined) await this.write(second, account, inverse(edit, before), true);
  }

  /** A random instance that is up, other than `other`; during the cut, the cut instance half the time. */
  private pickForWrite(other: Instance | undefined): Instance | undefined {
    const { cut } = this;
    if (this.cutting && cut !== undefined && cut !== other && Math.random() < 0.5) return cut;
    return pick(this.up.filter((instance) => instance !== other));
  }

  private async write(instance: Instance, account: string, edit: Edit, inverseOfPrevious: boolean): Promise<void> {
    const before = this.store.get(account)!;
    const duringCut = this.cutting && instance === this.cut;
    const body = edit.kind === 'set' ? { email: account, capabilities: edit.capabilities } : { email: account, capability: edit.capability };
    instance.inflight += 1;
    const sentAt = performance.now();
    let reply: Reply | undefined;
    try {
      reply = await instance.manager.post(`/manage_capabilities/${edit.kind}`, body);
    } catch {
      reply = undefined;
    } finally {
      instance.inflight -= 1;
    }
    const answeredAt = performance.now();
    // Asked of Redis now, before anything else is sent: the next write may be this one's inverse through
    // another instance, which cannot reach Redis before this read does (it goes through HTTP and a judgment first).
    const after = this.readStore(account);
    this.store.set(account, after);
    const status = reply?.status ?? 0;
    const code = typeof reply?.json.code === 'string' ? reply.json.code : undefined;
    const answered = status === 200 && Array.isArray(reply?.json.capabilities) ? (reply.json.capabilities as string[]) : undefined;
    this.recording.push(
      Promise.all([before, after]).then(
        ([listBefore, listAfter]) =>
          void this.writes.push({
            account,
            edit,
            instance: instance.name,
            sentAt,
            answeredAt,
            status,
            code,
            answered,
            before: listBefore,
            after: listAfter,
            duringCut,
            inverseOfPrevious,
          }),
        (error: unknown) => void (this.recordingFailed ??= error),
      ),
    );
  }

  private async readStore(account: string): Promise<string[]> {
    const json = await this.redis.hget(this.usersKey, account);
    return canonical(json === null ? [] : (JSON.parse(json) as string[]));
  }

  /** Out of the rotation, its requests in flight ended, SIGKILL; then a new process in its place. */
  private async killAndRestart(instance: Instance): Promise<void> {
    // Its last figure, taken while it is still in the rotation (the samples are of the instances up).
    this.sampleMemory();
    this.setUp(instance, false);
    await waitUntil(() => instance.inflight === 0, `the requests in flight to ${instance.name} have ended`, 10_000);
    instance.agent.destroy();
    this.events.killAt = performance.now() - this.startedAt;
    await instance.process.kill();
    const restarting = performance.now();
    instance.process = await this.startProcess(`${instance.name} after its restart`, REDIS_URL);
    this.events.restartMs = performance.now() - restarting;
    instance.life = this.lives.length - 1;
    instance.manager = new HttpClient(instance.process.url).withToken(this.managerToken);
    instance.agent = new Agent({ keepAlive: true, maxSockets: READERS });
    this.setUp(instance, true);
  }

  /**
   * Cuts `instance` from Redis for CUT_MS; before Redis comes back, a write through
   * `other` that `instance` must show once it has caught up, which is timed.
   */
  private async cutFromRedis(instance: Instance, other: Instance): Promise<void> {
    this.cutting = true;
    this.events.cutAt = performance.now() - this.startedAt;
    this.proxy.cut();
    await sleep(CUT_MS);
    const marked = await other.manager.post('/manage_capabilities/set', { email: MARKER, capabilities: MARKED });
    if (marked.status !== 200) throw new Error(`the catch-up marker through ${other.name} answered ${marked.status}: ${marked.text}`);
    this.cutting = false;
    this.events.restoredAt = performance.now() - this.startedAt;
    this.proxy.restore();
    const deadline = performance.now() + 30_000;
    while (performance.now() < deadline) {
      const listed = await instance.manager.get(`/manage_capabilities/list?email=${MARKER}`).catch(() => undefined);
      if (listed?.status === 200 && Array.isArray(listed.json.capabilities) && sameSet(listed.json.capabilities as string[], MARKED)) {
        this.events.currentAgainAt = performance.now() - this.startedAt;
        return;
      }
      await sleep(10);
    }
    this.events.currentAgainAt = Number.POSITIVE_INFINITY;
  }

  private setUp(instance: Instance, up: boolean): void {
    instance.up = up;
    this.up = this.instances.filter((each) => each.up);
  }

  private sampleMemory(): void {
    const mb = this.lives.map((): number | undefined => undefined);
    for (const instance of this.up) mb[instance.life] = rssMB(instance.process.pid);
    this.samples.push({ at: performance.now() - this.startedAt, mb });
  }

  /** Each account on every instance, once they have had time to agree: the store's list, and the last 200 answer's. */
  private async finalState(): Promise<{ readonly differing: string[]; readonly notAsAnswered: string[] }> {
    const differing: string[] = [];
    const notAsAnswered: string[] = [];
    for (const account of this.accounts) {
      const stored = await this.readStore(account);
      const acknowledged = this.writes.filter((write) => write.account === account && write.status === 200).at(-1)?.answered ?? this.initial.get(account)!;
      if (!sameSet(stored, acknowledged))
        notAsAnswered.push(`${account}: the store holds [${stored.join(', ')}], the last 200 answer said [${canonical(acknowledged).join(', ')}]`);
      for (const instance of this.up) {
        const shown = await listedWhen(instance, account, stored);
        if (!sameSet(shown, stored)) differing.push(`${account} on ${instance.name}: [${shown.join(', ')}], the store [${stored.join(', ')}]`);
      }
    }
    return { differing, notAsAnswered };
  }
}

/** An add, remove or set for an account holding `before`: a no-op on it NO_OP_SHARE of the time. */
function chooseEdit(before: readonly string[]): Edit {
  const held = SOAK_CAPABILITIES.filter((name) => before.includes(name));
  const notHeld = SOAK_CAPABILITIES.filter((name) => !before.includes(name));
  const noOp = Math.random() < NO_OP_SHARE;
  switch (Math.floor(Math.random() * 3)) {
    case 0:
      return { kind: 'add', capability: pick(noOp ? held : notHeld) ?? pick(SOAK_CAPABILITIES)! };
    case 1:
      return { kind: 'remove', capability: pick(noOp ? notHeld : held) ?? pick(SOAK_CAPABILITIES)! };
    default: {
      if (noOp) return { kind: 'set', capabilities: [...before] };
      let capabilities: string[];
      do capabilities = SOAK_CAPABILITIES.filter(() => Math.random() < 0.5);
      while (sameSet(capabilities, before));
      return { kind: 'set', capabilities };
    }
  }
}

/** What `instance` lists for `account`, asked until it shows `wanted` or 5 s have passed. */
async function listedWhen(instance: Instance, account: string, wanted: readonly string[]): Promise<string[]> {
  const deadline = performance.now() + 5_000;
  for (;;) {
    const listed = await instance.manager.get(`/manage_capabilities/list?email=${encodeURIComponent(account)}`);
    const shown =
      listed.status === 200 && Array.isArray(listed.json.capabilities)
        ? canonical(listed.json.capabilities as string[])
        : [`(${listed.status} ${listed.text})`];
    if (sameSet(shown, wanted) || performance.now() > deadline) return shown;
    await sleep(20);
  }
}

function pick<T>(items: readonly T[]): T | undefined {
  return items[Math.floor(Math.random() * items.length)];
}

function sleepUntil(moment: number): Promise<void> {
  return sleep(Math.max(0, moment - performance.now()));
}

/** The resident set of process `pid` in MB, from /proc (Linux); undefined elsewhere or once it has exited. */
function rssMB(pid: number): number | undefined {
  try {
    const kilobytes = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kilobytes === undefined ? undefined : Number(kilobytes) / 1024;
  } catch {
    return undefined;
  }
}
