import { assertCapabilityName } from '../capabilities/capability-name';
import { assertDefined } from '../capabilities/capability-policy';
import { assertEmail } from '../capabilities/email';
import { explain } from '../capabilities/explain';
import { assertScope } from '../capabilities/scope';
import { EXIT_OK, UsageError, type CliIo } from './cli-io';
import { explanationLines } from './explanation-lines';
import { readPolicy, type StoreChoice } from './store-choice';

/**
 * `explain EMAIL CAPABILITY [--scope S]`: whether the account holds the capability
 * (at S), and every grant that leads to it, as `GET /manage_capabilities/explain`
 * answers. Exit 0 whether it is held or not.
 */
export async function explainCommand(positionals: readonly string[], options: { readonly choice: StoreChoice; readonly scope: string | undefined; readonly json: boolean }, io: CliIo): Promise<number> {
  if (positionals.length !== 2) throw new UsageError('explain needs an EMAIL and a CAPABILITY', 'explain');
  const email = assertEmail(positionals[0]);
  const capability = assertCapabilityName(positionals[1]);
  const scope = options.scope === undefined ? undefined : assertScope(options.scope);
  const policy = await readPolicy(options.choice, io);
  assertDefined(policy.graph, capability);
  const explanation = explain(policy, email, capability, scope);
  if (options.json) {
    io.out(JSON.stringify({ status: 'ok', email, capability, scope: scope ?? null, allowed: explanation.allowed, because: explanation.because }));
    return EXIT_OK;
  }
  io.out(`${email} ${explanation.allowed ? 'holds' : 'does not hold'} ${capability}${scope === undefined ? '' : ` at ${scope}`}`);
  for (const line of explanationLines(explanation, capability)) io.out(line);
  return EXIT_OK;
}
