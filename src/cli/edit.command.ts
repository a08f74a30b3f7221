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
 */
export async function editCommand(kind: 'grant' | 'revoke', positionals: readonly string[], choice: StoreChoice, io: CliIo, rawScope?: string): Promise<number> {
  const [rawEmail, ...rawNames] = positionals;
  if (rawEmail === undefined || rawNames.length === 0) throw new UsageError(`${kind} needs an EMAIL and at least one CAPABILITY`, kind);
  const email = assertEmail(rawEmail);
  const names = rawNames.map((name) => assertCapabilityName(name));
  if (rawScope !== undefined) return editAtScope(kind, email, names, assertScope(rawScope, '--scope'), choice, io);
  const action = kind === 'grant' ? 'add' : 'remove';
  let before: readonly string[] = [];
  const policy = await withBackend(choice, io, ({ capabilities: store, audit: log }) =>
    new AuditRecorder(log, undefined, (message) => io.err(`warning: ${message}`)).record(
      cliActor(io.env),
      action,
      email,
      `${action} ${names.join(', ')}`,
      () =>
        store.update((current) => {
          const stored = current.stored(email);
          before = stored;
          names.forEach((name) => assertDefined(current.graph, name));
          const next = kind === 'grant' ? [...stored, ...names.filter((name) => !stored.includes(name))] : stored.filter((name) => !names.includes(name));
          return checkedChange(current, null, email, { kind: 'set', capabilities: next });
        }),
      (after) => grantChangeDetail(before, after.stored(email)),
    ),
  );
  io.out(describe(policy, email));
  return EXIT_OK;
}

/**
 * `grant` / `revoke` with `--scope`: one change to the grants of one account at exactly
 * `scope`, by an operator (who may change anything; the last-admin rule concerns global
 * `admin` only), written to the audit trail with the scope in its detail.
 */
async function editAtScope(kind: 'grant' | 'revoke', email: string, names: readonly string[], scope: string, choice: StoreChoice, io: CliIo): Promise<number> {
  const action = kind === 'grant' ? 'add' : 'remove';
  let before: readonly string[] = [];
  const policy = await withBackend(choice, io, ({ capabilities: store, audit: log }) =>
    new AuditRecorder(log, undefined, (message) => io.err(`warning: ${message}`)).record(
      cliActor(io.env),
      action,
      email,
      `${action} ${names.join(', ')} at ${scope}`,
      () =>
        store.update((current) => {
          const stored = current.storedAt(email, scope);
          before = stored;
          names.forEach((name) => assertDefined(current.graph, name));
          const next = kind === 'grant' ? [...stored, ...names.filter((name) => !stored.includes(name))] : stored.filter((name) => !names.includes(name));
          return { email, capabilities: next, scope };
        }),
      (after) => grantChangeDetail(before, after.storedAt(email, scope)),
    ),
  );
  io.out(describeAt(policy, email, scope));
  return EXIT_OK;
}

/**
 * `list [EMAIL] --scope SCOPE`: the grants stored at SCOPE and below it (every account's,
 * or EMAIL's with what it may use at SCOPE).
 */
async function listAtScope(positionals: readonly string[], scope: string, choice: StoreChoice, json: boolean, io: CliIo): Promise<number> {
  const policy = await withBackend(choice, io, async ({ capabilities }) => capabilities.current());
  if (positionals[0] === undefined) {
    const scopes = policy.scopesAsObject(scope);
    if (json) io.out(JSON.stringify({ scope, scopes }));
    else for (const [at, grants] of Object.entries(scopes)) for (const [email, names] of Object.entries(grants)) io.out(`${email} at ${at}: ${names.join(', ')}`);
    return EXIT_OK;
  }
  const email = assertEmail(positionals[0]);
  const scopes = Object.fromEntries(policy.scopedGrantsOf(email, scope).map(([at, names]) => [at, [...names].sort()]));
  const effective = policy.effectiveAt({ email, kind: 'user', via: 'session' }, scope).toArray();
  if (json) io.out(JSON.stringify({ email, scope, scopes, effective }));
  else {
    io.out(describeAt(policy, email, scope));
    io.out(`  effective at ${scope}: ${effective.join(', ') || '(none)'}`);
  }
  return EXIT_OK;
}

/** `list [EMAIL]`: the accounts as stored, or one account stored and effective; with `--scope`, see `listAtScope`. */
export async function listCommand(positionals: readonly string[], choice: StoreChoice, json: boolean, io: CliIo, rawScope?: string): Promise<number> {
  if (positionals.length > 1) throw new UsageError('list takes at most one EMAIL', 'list');
  if (rawScope !== undefined) return listAtScope(positionals, assertScope(rawScope, '--scope'), choice, json, io);
  const policy = await withBackend(choice, io, async ({ capabilities }) => capabilities.current());
  if (positionals[0] === undefined) {
    const users = policy.usersAsObject();
    if (json) io.out(JSON.stringify({ users }));
    else for (const [email, names] of Object.entries(users)) io.out(`${email}: ${names.join(', ')}`);
    return EXIT_OK;
  }
  const email = assertEmail(positionals[0]);
  const stored = [...policy.stored(email)].sort();
  const effective = policy.effective(email).toArray();
  if (json) io.out(JSON.stringify({ email, capabilities: stored, effective }));
  else {
    io.out(describe(policy, email));
    io.out(`  effective: ${effective.join(', ') || '(none)'}`);
  }
  return EXIT_OK;
}

function describeAt(policy: CapabilityPolicy, email: string, scope: string): string {
  return `${email} at ${scope}: ${[...policy.storedAt(email, scope)].sort().join(', ') || '(nothing stored)'}`;
}

function describe(policy: CapabilityPolicy, email: string): string {
  return `${email}: ${[...policy.stored(email)].sort().join(', ') || '(nothing stored)'}`;
}
