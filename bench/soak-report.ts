import {
  answeredAsUnavailable,
  AccountTimeline,
  isNoOp,
  lostWrite,
  PROPAGATION_BOUND_MS,
  READ_ROUTES,
  refusedButApplied,
  showWrite,
  SOAK_CAPABILITIES,
  type WriteRecord,
} from './soak-checks';
import { OTHER, type ReadLog } from './soak-reads';
import { fixed, table, thousands } from './stats';

/** One process of an instance: a restart begins another. */
export interface Life {
  readonly label: string;
}

/** How the load was made, for the text above the figures. */
export interface SoakDesign {
  readonly readers: number;
  readonly writesPerSecond: number;
  /** Of the writes: chosen to be no-ops on the store's state; followed at once by their inverse through another instance. */
  readonly noOpShare: number;
  readonly pairShare: number;
  readonly cutMs: number;
  readonly afterCatchUpMs: number;
  readonly sampleEveryMs: number;
}

/** When the kill and the cut happened, in ms since the load began. */
export interface SoakEvents {
  killAt: number;
  /** From the restart to the new process listening (it has loaded the store by then). */
  restartMs: number;
  cutAt: number;
  restoredAt: number;
  /** When the cut instance first showed the write made just before Redis came back. */
  currentAgainAt: number;
  /** The life of the cut instance. */
  cutLife: number;
}

/** Everything a run recorded. */
export interface SoakRun {
  readonly seconds: number;
  readonly adapter: string;
  readonly design: SoakDesign;
  readonly accounts: readonly string[];
  readonly initial: ReadonlyMap<string, readonly string[]>;
  readonly reads: ReadLog;
  /** In the order they were sent. */
  readonly writes: readonly WriteRecord[];
  readonly lives: readonly Life[];
  /** RSS in MB of each life that was up, at `at` ms since the load began. */
  readonly samples: readonly { readonly at: number; readonly mb: readonly (number | undefined)[] }[];
  readonly events: SoakEvents;
  readonly startedAt: number;
  readonly loadMs: number;
  readonly final: { readonly differing: readonly string[]; readonly notAsAnswered: readonly string[] };
}

/** What the targets speak of, with the counts that make a zero mean something, and the section. */
export interface SoakFigures {
  readonly markdown: string;
  readonly lostWrites: number;
  readonly acknowledgedWrites: number;
  readonly lateReads: number;
  readonly checkedReads: number;
  readonly cutWritesNot503: number;
  readonly cutWrites: number;
}

/** How many examples of each kind of failure the section shows. */
const EXAMPLES = 5;

export function soakReport(run: SoakRun): SoakFigures {
  const { writes, events } = run;
  const acknowledged = writes.filter((write) => write.status === 200);
  const lost = writes.filter((write) => lostWrite(write) !== undefined);
  const effectMissing = lost.filter((write) => lostWrite(write)!.effectMissing).length;
  const listDiffers = lost.filter((write) => lostWrite(write)!.listDiffers).length;
  const refused = writes.filter((write) => write.status !== 200);
  const applied = refused.filter(refusedButApplied);
  const cutWrites = writes.filter((write) => write.duringCut);
  const cutNot503 = cutWrites.filter((write) => !answeredAsUnavailable(write));
  const reads = checkReads(run);
  const seconds = run.loadMs / 1000;

  const checks = [
    [
      "writes answered 200 that the store does not hold as answered (**lost writes**): the change is missing from the state right after, or the answer's list is not that state",
      `**${lost.length}** of ${thousands(acknowledged.length)} (change missing: ${effectMissing}; list not the store's: ${listDiffers})`,
      '0',
    ],
    ['writes answered otherwise that reached the store all the same', `${applied.length} of ${thousands(refused.length)}`, '0'],
    [
      `reads showing a state superseded more than ${PROPAGATION_BOUND_MS} ms before they were asked (**late reads**), against the store`,
      `**${reads.late}** of ${thousands(reads.checked)} (not checked: ${thousands(reads.excluded)} on the cut instance from the cut until it was current again)`,
      '0',
    ],
    [
      `reads contradicting a 200 answer given more than ${PROPAGATION_BOUND_MS} ms before (what a lost write looks like to a user)`,
      `${reads.contradicting} of ${thousands(reads.checked)}`,
      '0',
    ],
    ['reads answered neither 200 nor 403 `CAPABILITY_MISSING`', `${reads.other}${reads.otherStatuses === '' ? '' : ` (${reads.otherStatuses})`}`, '0'],
    [
      'writes through the cut instance while cut, answered other than 503 `STORE_UNAVAILABLE`',
      `**${cutNot503.length}** of ${cutWrites.length} (no-ops on the store's state among those sent: ${cutWrites.filter(isNoOp).length})`,
      '0',
    ],
    ["accounts whose final state on an instance is not the store's", `${run.final.differing.length} of ${run.accounts.length}`, '0'],
    ["accounts whose final state in the store is not the last 200 answer's", `${run.final.notAsAnswered.length} of ${run.accounts.length}`, '0'],
  ];

  const byStatus = new Map<string, number>();
  for (const write of writes) {
    const key = write.status === 200 ? '200' : `${write.status === 0 ? 'no answer' : write.status}${write.code === undefined ? '' : ` ${write.code}`}`;
    byStatus.set(key, (byStatus.get(key) ?? 0) + 1);
  }
  const load = table(
    ['reads', 'reads/s', 'read p50 ms', 'read p99 ms', 'reads by instance', 'writes', 'writes/s', 'writes by answer', 'no-ops', 'inverse right after'],
    [
      [
        thousands(run.reads.size),
        `**${thousands(run.reads.size / seconds)}**`,
        fixed(reads.p50, 1),
        fixed(reads.p99, 1),
        run.lives.map((life, index) => `${life.label} ${thousands(reads.byLife[index] ?? 0)}`).join(', '),
        thousands(writes.length),
        fixed(writes.length / seconds, 1),
        [...byStatus].map(([answer, count]) => `${answer}: ${count}`).join(', '),
        thousands(writes.filter(isNoOp).length),
        thousands(writes.filter((write) => write.inverseOfPrevious).length),
      ],
    ],
  );

  const markdown = [
    '### A soak: three instances under load, a manager writing, a kill and a cut',
    '',
    description(run),
    '',
    load,
    '',
    table(['check', 'found', 'wanted'], checks),
    '',
    `B listened again ${fixed(events.restartMs / 1000, 1)} s after its restart began. C was cut at ${fixed(events.cutAt / 1000, 1)} s, its Redis back at ${fixed(events.restoredAt / 1000, 1)} s, and it showed the write made just before ${Number.isFinite(events.currentAgainAt) ? `${thousands(events.currentAgainAt - events.restoredAt)} ms later` : '**never** (asked for 30 s)'}.`,
    '',
    ...examples(
      'Lost writes, each after the write before it on the same account',
      lost.slice(0, EXAMPLES).map((write) => withPrevious(writes, write)),
      lost.length,
    ),
    ...examples('Writes through the cut instance not refused', cutNot503.slice(0, EXAMPLES).map(showWrite), cutNot503.length),
    ...examples('Writes refused that reached the store', applied.slice(0, EXAMPLES).map(showWrite), applied.length),
    ...examples('Late reads', reads.lateExamples, reads.late),
    ...examples("Final states not the store's", run.final.differing.slice(0, EXAMPLES), run.final.differing.length),
    ...examples("Final states not the last answer's", run.final.notAsAnswered.slice(0, EXAMPLES), run.final.notAsAnswered.length),
    memory(run),
  ].join('\n');
  return {
    markdown,
    lostWrites: lost.length,
    acknowledgedWrites: acknowledged.length,
    lateReads: reads.late,
    checkedReads: reads.checked,
    cutWritesNot503: cutNot503.length,
    cutWrites: cutWrites.length,
  };
}

function description(run: SoakRun): string {
  const { design, events } = run;
  const percent = (share: number): string => `${fixed(share * 100, 0)} %`;
  const seconds = (ms: number): string => `${fixed(ms / 1000, 1)} s`;
  return [
    `${fixed(run.loadMs / 1000, 0)} s of load (asked for: ${run.seconds} s; it goes on until ${seconds(design.afterCatchUpMs)} after the cut instance is current again).`,
    `Three example-app instances (${run.adapter}, one process each) on one Redis prefix.`,
    `${design.readers} readers ask \`/${READ_ROUTES.join('`, `/')}\` (each guarded by the capability of its name) with the bearer tokens of ${run.accounts.length} accounts, each read through a random instance.`,
    `A manager holding \`admin\` writes about ${design.writesPerSecond} grants a second through random instances: \`add\`, \`remove\` and \`set\` of ${SOAK_CAPABILITIES.join(', ')}, about ${percent(design.noOpShare)} of them no-ops on the store's state, about ${percent(design.pairShare)} followed at once by their inverse through another instance.`,
    "The writes on one account go one at a time (several accounts at once), so the order of their answers is the store's; the account's list is read from Redis before each write and right after its answer, before anything else is sent.",
    `At ${seconds(events.killAt)} instance B is taken out of the rotation, killed with SIGKILL once its requests in flight have ended, and started again.`,
    `At ${seconds(events.cutAt)} instance C is cut from Redis by a TCP proxy for ${seconds(design.cutMs)} (half the writes go to C meanwhile); just before Redis comes back, a write through A gives C something to catch up with.`,
    `A read is late when its answer matches none of the states the account may have had since ${PROPAGATION_BOUND_MS} ms before it was asked (a state ends ${PROPAGATION_BOUND_MS} ms after the next write is answered).`,
    `Memory: each instance's RSS from /proc every ${seconds(design.sampleEveryMs)}.`,
  ].join(' ');
}

/**
 * Every read against the states its account went through in the store (late reads) and
 * the states the 200 answers announced (reads contradicting an answer); the cut
 * instance's reads from the cut until it was current again are not checked.
 */
function checkReads(run: SoakRun): {
  checked: number;
  late: number;
  contradicting: number;
  excluded: number;
  other: number;
  otherStatuses: string;
  byLife: number[];
  p50: number;
  p99: number;
  lateExamples: string[];
} {
  const inStore = new Map<string, AccountTimeline>();
  const asAnswered = new Map<string, AccountTimeline>();
  const announced = new Map<string, readonly string[]>();
  for (const account of run.accounts) {
    inStore.set(account, new AccountTimeline(run.initial.get(account)!));
    asAnswered.set(account, new AccountTimeline(run.initial.get(account)!));
    announced.set(account, run.initial.get(account)!);
  }
  for (const write of run.writes) {
    inStore.get(write.account)!.push(write.sentAt, write.answeredAt, write.after);
    if (write.status === 200 && write.answered !== undefined) announced.set(write.account, write.answered);
    asAnswered.get(write.account)!.push(write.sentAt, write.answeredAt, announced.get(write.account)!);
  }
  const { reads, events } = run;
  const cutFrom = run.startedAt + events.cutAt;
  const cutUntil = run.startedAt + events.currentAgainAt;
  const statuses = new Map<number, number>();
  const byLife: number[] = [];
  const lateExamples: string[] = [];
  let checked = 0;
  let late = 0;
  let contradicting = 0;
  let excluded = 0;
  let other = 0;
  const latencies = new Float64Array(reads.size);
  for (let i = 0; i < reads.size; i++) {
    const life = reads.life[i]!;
    const askedAt = reads.askedAt[i]!;
    const answeredAt = reads.answeredAt[i]!;
    latencies[i] = answeredAt - askedAt;
    byLife[life] = (byLife[life] ?? 0) + 1;
    if (reads.outcome[i] === OTHER) {
      other += 1;
      statuses.set(reads.status[i]!, (statuses.get(reads.status[i]!) ?? 0) + 1);
      continue;
    }
    if (life === events.cutLife && askedAt >= cutFrom && askedAt <= cutUntil) {
      excluded += 1;
      continue;
    }
    checked += 1;
    const account = run.accounts[reads.account[i]!]!;
    const held = reads.outcome[i] === 1;
    const route = reads.route[i]!;
    if (inStore.get(account)!.isLate(route, held, askedAt, answeredAt)) {
      late += 1;
      if (lateExamples.length < EXAMPLES) lateExamples.push(showLateRead(run, account, route, held, life, askedAt, answeredAt));
    }
    if (asAnswered.get(account)!.isLate(route, held, askedAt, answeredAt)) contradicting += 1;
  }
  latencies.sort();
  const at = (p: number): number =>
    latencies.length === 0 ? Number.NaN : latencies[Math.min(latencies.length - 1, Math.ceil((p / 100) * latencies.length) - 1)]!;
  const otherStatuses = [...statuses].map(([status, count]) => `${status === 0 ? 'no answer' : status}: ${count}`).join(', ');
  return { checked, late, contradicting, excluded, other, otherStatuses, byLife, p50: at(50), p99: at(99), lateExamples };
}

/** A late read, with the last write on its account answered more than the bound before it was asked. */
function showLateRead(run: SoakRun, account: string, route: number, held: boolean, life: number, askedAt: number, answeredAt: number): string {
  const since = (time: number): string => `${fixed((time - run.startedAt) / 1000, 3)} s`;
  const read = `${account} asked for ${SOAK_CAPABILITIES[route]} through ${run.lives[life]!.label} at ${since(askedAt)}: ${held ? 'allowed' : 'refused'}, answered at ${since(answeredAt)}`;
  const superseded = run.writes.filter((write) => write.account === account && write.answeredAt + PROPAGATION_BOUND_MS <= askedAt).at(-1);
  return superseded === undefined
    ? read
    : `${read}; the last write answered ${PROPAGATION_BOUND_MS} ms or more before it: ${showWrite(superseded)}, answered at ${since(superseded.answeredAt)}`;
}

/** A lost write after the write before it on the same account, with the time between them. */
function withPrevious(writes: readonly WriteRecord[], write: WriteRecord): string {
  const previous = writes.filter((each) => each.account === write.account && each.sentAt < write.sentAt).at(-1);
  if (previous === undefined) return showWrite(write);
  return `${showWrite(previous)}; then ${fixed(write.sentAt - previous.answeredAt, 1)} ms after its answer: ${showWrite(write)}`;
}

function examples(title: string, lines: readonly string[], total: number): string[] {
  if (total === 0) return [];
  return [`${title} (${lines.length < total ? `the first ${lines.length} of ${total}` : total}):`, '', ...lines.map((line) => `- ${line}`), ''];
}

/** Each life's RSS at its start, after a minute, half-way, at its end and at its peak; then the samples, thinned to about a dozen rows. */
function memory(run: SoakRun): string {
  const rows = run.lives.map((life, index) => {
    const own = run.samples.flatMap((sample) => (sample.mb[index] === undefined ? [] : [{ at: sample.at, mb: sample.mb[index] }]));
    if (own.length === 0) return [life.label, 'n/a', 'n/a', 'n/a', 'n/a', 'n/a', 'n/a', 'n/a'];
    const first = own[0]!;
    const last = own.at(-1)!;
    const middle = own.find((sample) => sample.at >= (first.at + last.at) / 2) ?? last;
    const minute = own.find((sample) => sample.at >= first.at + 60_000);
    const peak = Math.max(...own.map((sample) => sample.mb));
    const growth = (to: number, from: number): string => `${to >= from ? '+' : ''}${fixed((to / from - 1) * 100, 0)} %`;
    return [
      life.label,
      fixed(first.mb, 0),
      minute === undefined ? 'n/a' : `${fixed(minute.mb, 0)} (${growth(minute.mb, first.mb)})`,
      `${fixed(middle.mb, 0)} at ${fixed(middle.at / 1000, 0)} s`,
      `${fixed(last.mb, 0)} at ${fixed(last.at / 1000, 0)} s`,
      fixed(peak, 0),
      growth(last.mb, first.mb),
      growth(last.mb, middle.mb),
    ];
  });
  const step = Math.max(1, Math.ceil(run.samples.length / 12));
  const shown = run.samples.filter((_, index) => index % step === 0 || index === run.samples.length - 1);
  const samples = table(
    ['s', ...run.lives.map((life) => `${life.label} MB`)],
    shown.map((sample) => [fixed(sample.at / 1000, 0), ...run.lives.map((_, index) => (sample.mb[index] === undefined ? '' : fixed(sample.mb[index], 0)))]),
  );
  return [
    'RSS of each instance (MB; a restarted instance is a new process, listed apart):',
    '',
    table(['instance', 'start', 'after 1 min', 'half-way', 'end', 'peak', 'end vs start', 'end vs half-way'], rows),
    '',
    samples,
    '',
  ].join('\n');
}
