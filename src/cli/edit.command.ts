import { AuditRecorder } from '../audit/audit-recorder';
import { grantChangeDetail } from '../audit/change-detail';
import { assertCapabilityName } from '../capabilities/capability-name';
import { assertDefined, type CapabilityPolicy } from '../capabilities/capability-policy';
import { assertEmail } from '../capabilities/email';
import { checkedChange } from '../capabilities/grant-rules';
import { assertScope } from '../capabilities/scope';
import { EXIT_OK, UsageError, cliActor, type CliIo } from './cli-io';
import { withBackend, type StoreChoice } from './store-choice';

/**
 * `grant` / `revoke`: one change to one account through the file store (or the
 * shared store in Redis) and the management API's rules (operator: `manager` null),
 * so the write is atomic, keeps comments and key order, and is checked like an API call.
 * With `scope` (file mode), the change is to the account's grants at exactly that scope.
 */
export async function editCommand(kind: 'grant' | 'revoke', positionals: readonly string[], choice: StoreChoice, io: CliIo, rawScope?: string): Promise<number> {
  const [rawEmail, ...rawNames] = positionals;
  if (rawEmail === undefined || rawNames.length === 0) throw new UsageError(`${kind} needs an EMAIL and at least one CAPABILITY`, kind);
  const scope = scopeOption(rawScope);
  const email = assertEmail(rawEmail);
  const names = rawNames.map((name) => assertCapabilityName(name));
  const action = kind === 'grant' ? 'add' : 'remove';
  const storedIn = (policy: CapabilityPolicy): readonly string[] => (scope === undefined ? policy.stored(email) : policy.storedAt(email, scope));
  let before: readonly string[] = [];
  const policy = await withBackend(choice, io, ({ capabilities: store, audit: log }) =>
    new AuditRecorder(log, undefined, (message) => io.err(`warning: ${message}`)).record(
      cliActor(io.env),
      action,
      email,
      `${action} ${names.join(', ')}${scope === undefined ? '' : ` at ${scope}`}`,
      () =>
        store.update((current) => {
          const stored = storedIn(current);
          before = stored;
          names.forEach((name) => assertDefined(current.graph, name));
          const next = kind === 'grant' ? [...stored, ...names.filter((name) => !stored.includes(name))] : stored.filter((name) => !names.includes(name));
          // An operator may change anything; the rules that still hold (the last admin) concern global grants only.
          return scope === undefined ? checkedChange(current, null, email, { kind: 'set', capabilities: next }) : { email, capabilities: next, scope };
        }),
      (after) => `${grantChangeDetail(before, storedIn(after))}${scope === undefined ? '' : ` at ${scope}`}`,
      scope ?? null,
    ),
  );
  io.out(scope === undefined ? describe(policy, email) : describeAt(policy, email, scope));
  return EXIT_OK;
}

function scopeOption(raw: string | undefined): string | undefined {
  return raw === undefined ? undefined : assertScope(raw, '--scope');
}

/**
 * `list [EMAIL]`: the accounts as stored and the grants at each scope, or one account
 * stored and effective, with its grants at each scope; with `scope`, only the grants at
 * that scope and below (and, for one account, what it holds there).
 */
export async function listCommand(positionals: readonly string[], choice: StoreChoice, json: boolean, io: CliIo, rawScope?: string): Promise<number> {
  if (positionals.length > 1) throw new UsageError('list takes at most one EMAIL', 'list');
  const scope = scopeOption(rawScope);
  const policy = await withBackend(choice, io, async ({ capabilities }) => capabilities.current());
  if (positionals[0] === undefined) {
    const users = policy.usersAsObject();
    const scopes = policy.scopesAsObject(scope);
    // `scopes` only when there are any, so that the output of a file without them is as it always was.
    const anyScopes = Object.keys(scopes).length > 0 ? { scopes } : {};
    if (json) io.out(JSON.stringify(scope === undefined ? { users, ...anyScopes } : { scope, scopes }));
    else {
      if (scope === undefined) for (const [email, names] of Object.entries(users)) io.out(`${email}: ${names.join(', ')}`);
      for (const [at, grants] of Object.entries(scopes)) {
        io.out(`at ${at}:`);
        for (const [email, names] of Object.entries(grants)) io.out(`  ${email}: ${names.join(', ')}`);
      }
    }
    return EXIT_OK;
  }
  const email = assertEmail(positionals[0]);
  const stored = [...policy.stored(email)].sort();
  const effective = policy.effective(email).toArray();
  const scoped = policy.scopedGrantsOf(email, scope);
  if (json) {
    const scopes = scoped.length === 0 && scope === undefined ? {} : { scopes: Object.fromEntries(scoped.map(([at, names]) => [at, [...names].sort()])) };
    const there = scope === undefined ? {} : { scope, effective_at_scope: policy.effectiveAt({ email, kind: 'user', via: 'session' }, scope).toArray() };
    io.out(JSON.stringify({ email, capabilities: stored, effective, ...scopes, ...there }));
  } else {
    io.out(describe(policy, email));
    io.out(`  effective: ${effective.join(', ') || '(none)'}`);
    for (const [at, names] of scoped) io.out(`  at ${at}: ${[...names].sort().join(', ')}`);
    if (scope !== undefined) io.out(`  effective at ${scope}: ${policy.effectiveAt({ email, kind: 'user', via: 'session' }, scope).toArray().join(', ') || '(none)'}`);
  }
  return EXIT_OK;
}

function describeAt(policy: CapabilityPolicy, email: string, scope: string): string {
  return `${email} at ${scope}: ${[...policy.storedAt(email, scope)].sort().join(', ') || '(nothing stored)'}`;
}

function describe(policy: CapabilityPolicy, email: string): string {
  return `${email}: ${[...policy.stored(email)].sort().join(', ') || '(nothing stored)'}`;
}
