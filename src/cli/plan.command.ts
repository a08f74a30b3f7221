import { CapabilityPolicy } from '../capabilities/capability-policy';
import { planLine } from '../capabilities/plan-line';
import { planPolicyChange } from '../capabilities/policy-plan';
import { CapabilitiesError } from '../errors';
import { CapsFileMonitor } from '../stores/file/caps-file-monitor';
import { EXIT_INVALID_FILE, EXIT_OK, UsageError, type CliIo } from './cli-io';
import { readPolicy, type StoreChoice } from './store-choice';

/**
 * `plan NEW_CAPS [--caps CURRENT]`: for every account whose effective capabilities
 * would change if NEW_CAPS replaced the current policy, what it gains and loses.
 * Nothing is written. With `--redis`, the current side is the shared store, and the
 * accounts stay the store's on both sides (a deployed file changes the graph, the
 * defaults and the pinned grants there, never the accounts). Exit 3 for an invalid file.
 */
export async function planCommand(positionals: readonly string[], options: { readonly choice: StoreChoice; readonly json: boolean }, io: CliIo): Promise<number> {
  if (positionals.length !== 1) throw new UsageError('plan needs one NEW_CAPS file', 'plan');
  let current: CapabilityPolicy;
  let next: CapabilityPolicy;
  try {
    next = (await new CapsFileMonitor(positionals[0]!).load()).policy;
    current = await readPolicy(options.choice, io);
    if (options.choice.redis !== undefined) next = new CapabilityPolicy({ ...next, users: current.users, scopes: current.scopes, identities: current.identities });
  } catch (error) {
    if (!(error instanceof CapabilitiesError) || error.code === 'STORE_UNAVAILABLE') throw error;
    io.err(`error: ${error.message} (${error.code})`);
    return EXIT_INVALID_FILE;
  }
  const plan = planPolicyChange(current, next);
  if (options.json) {
    io.out(JSON.stringify({ changes: plan.changes, ...(plan.noPersonAdmin ? { warnings: ['no person would hold admin'] } : {}) }));
  } else {
    if (plan.changes.length === 0) io.out('no account gains or loses anything');
    for (const change of plan.changes) io.out(planLine(change));
  }
  if (plan.noPersonAdmin) io.err('warning: after this change no person holds admin: nobody could manage the accounts through the app');
  return EXIT_OK;
}
