import { readFile } from 'node:fs/promises';
import { stringify } from 'yaml';
import { CapabilityPolicy } from '../capabilities/capability-policy';
import { ADMIN_CAPABILITY } from '../capabilities/capability-graph';
import { parseCapsFile } from '../caps-file/caps-file';
import { GrantError } from '../errors';

/**
 * The accounts of `file` (a caps.yaml `users:` block, `scopes:` block and `identities:`
 * block, alone or in a whole caps.yaml) checked as the app's start-up checks a caps.yaml (valid
 * emails, defined capabilities, well-formed identities, with the file's own lines in
 * errors) against the deployed graph of `deployed`; and `admin` must stay with
 * somebody. Returns `deployed` holding those accounts.
 *
 * @example
 * const policy = await readAccountsFile('accounts.yaml', parseCapsFile(capsText, 'caps.yaml'));
 */
export async function readAccountsFile(file: string, deployed: CapabilityPolicy): Promise<CapabilityPolicy> {
  const text = await readFile(file, 'utf8');
  // A bare users/identities block gets the deployed graph appended, so lines in errors stay the file's own.
  const whole = /^capabilities\s*:/m.test(text) ? text : `${text.replace(/\s*$/, '\n')}${graphYaml(deployed)}`;
  const imported = parseCapsFile(whole, file);
  // The scoped grants are FILE's, never those of the deployed caps file.
  let policy = new CapabilityPolicy({ ...deployed.withUsers(imported.users), scopes: imported.scopes });
  for (const [identity, email] of imported.identities) policy = policy.withIdentityLink(identity, email);
  assertSomeAdmin(policy, file);
  return policy;
}

function graphYaml(policy: CapabilityPolicy): string {
  const { graph } = policy;
  const names = graph.names.filter((name) => !(graph.autoAdmin && name === ADMIN_CAPABILITY));
  return stringify({ capabilities: Object.fromEntries(names.map((name) => [name, [...graph.impliedBy(name)]])), auto_admin: graph.autoAdmin });
}

/** Throws `LAST_ADMIN` when the graph has `admin` and no account (stored or pinned) would hold it. */
function assertSomeAdmin(policy: CapabilityPolicy, file: string): void {
  if (!policy.graph.has(ADMIN_CAPABILITY) || policy.adminAccounts().length > 0) return;
  throw new GrantError('LAST_ADMIN', ADMIN_CAPABILITY, `refused: no account of ${file} holds admin, so nobody could manage capabilities`);
}
