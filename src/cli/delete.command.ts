import { AuditRecorder } from '../audit/audit-recorder';
import { assertEmail } from '../capabilities/email';
import { checkedDeletion } from '../capabilities/grant-rules';
import { deleteAccount } from '../stores/account-deletion';
import { EXIT_OK, UsageError, cliActor, type CliIo } from './cli-io';
import { withBackend, type StoreChoice } from './store-choice';
import { nowSeconds } from '../clock';

/**
 * `delete EMAIL`: offboarding from the command line, as `POST /manage_capabilities/delete`
 * does it (operator: every rule but the manager's own): the account, its grants and
 * identity links leave the file store (or the shared store in Redis), then its tokens and
 * sessions are revoked through the app's revocations; both are in the audit trail.
 */
export async function deleteCommand(positionals: readonly string[], choice: StoreChoice, io: CliIo): Promise<number> {
  if (positionals.length !== 1) throw new UsageError('delete needs exactly one EMAIL', 'delete');
  const email = assertEmail(positionals[0]);
  const deleted = await withBackend(choice, io, async ({ capabilities: store, audit: log, revocations }) => {
    const endTokens = async (account: string): Promise<number> => {
      const issuedUpTo = nowSeconds();
      await revocations.revokeAccount(account, issuedUpTo);
      return issuedUpTo;
    };
    const audit = new AuditRecorder(log, undefined, (message) => io.err(`warning: ${message}`));
    return deleteAccount({ store, audit, endTokens }, cliActor(io.env), email, (policy) => checkedDeletion(policy, null, email));
  });
  const held = deleted.grants.length > 0 ? deleted.grants.join(', ') : 'nothing';
  const links = deleted.identities.length === 0 ? '' : `, ${deleted.identities.length} identity link${deleted.identities.length === 1 ? '' : 's'}`;
  io.out(`${email}: deleted (held ${held}${links}); its tokens and sessions issued up to ${new Date(deleted.revokedIssuedUpTo * 1000).toISOString()} are revoked`);
  return EXIT_OK;
}
