import { AuditRecorder } from '../audit/audit-recorder';
import { createClient, revokeClient, type ClientActions } from '../clients/client-actions';
import type { ClientStore } from '../clients/client-store';
import { EXIT_OK, UsageError, cliActor, type CliIo } from './cli-io';
import { withBackend, type StoreChoice } from './store-choice';

/** Options of `clients`. */
export interface ClientsOptions {
  readonly choice: StoreChoice;
  readonly name: string | undefined;
  readonly json: boolean;
  /** `clients create --scope S`: a client limited to S. */
  readonly scope?: string | undefined;
}

/**
 * `clients create ACCOUNT`, `clients list`, `clients revoke CLIENT_ID`: OAuth clients of
 * service accounts in the client file next to the capability file (or, with --redis,
 * in the shared store), as the app's routes keep them, each change in the audit trail
 * as `cli:<os user>`. The operator may give any existing service account a client.
 */
export async function clientsCommand(positionals: readonly string[], options: ClientsOptions, io: CliIo): Promise<number> {
  const [action, ...rest] = positionals;
  if (action !== 'create' && action !== 'list' && action !== 'revoke') throw new UsageError('clients needs create, list or revoke', 'clients');
  if (action !== 'create' && (options.name !== undefined || options.scope !== undefined)) throw new UsageError(`clients ${action} takes no --name or --scope`, 'clients');
  return withBackend(options.choice, io, async ({ clients: store, audit: log, capabilities }) => {
    if (action === 'list') return listClients(store, rest, options.json, io);
    const actions: ClientActions = { store, audit: new AuditRecorder(log, undefined, (message) => io.err(`warning: ${message}`)), now: Date.now };
    if (rest.length !== 1) throw new UsageError(action === 'create' ? 'clients create takes one ACCOUNT (name@service)' : 'clients revoke takes one CLIENT_ID', 'clients');
    if (action === 'revoke') {
      const revoked = await revokeClient(actions, cliActor(io.env), rest[0]!, null);
      io.out(options.json ? JSON.stringify({ status: 'ok', client_id: revoked.clientId }) : `revoked ${revoked.clientId}`);
      return EXIT_OK;
    }
    const { secret, record } = await createClient(actions, cliActor(io.env), capabilities.current(), null, {
      account: rest[0],
      ...(options.name === undefined ? {} : { name: options.name }),
      ...(options.scope === undefined ? {} : { scope: options.scope }),
    });
    const answer = { status: 'ok', client_id: record.clientId, client_secret: secret, account: record.account, name: record.name };
    if (options.json) io.out(JSON.stringify(record.scope === undefined ? answer : { ...answer, scope: record.scope }));
    else {
      io.out(`client_id ${record.clientId}`);
      io.out(`client_secret ${secret}`);
    }
    return EXIT_OK;
  });
}

function listClients(store: ClientStore, rest: readonly string[], json: boolean, io: CliIo): number {
  if (rest.length > 0) throw new UsageError('clients list takes no argument', 'clients');
  const clients = store.current().unrevoked();
  if (json) {
    io.out(JSON.stringify({ clients: clients.map((c) => ({ client_id: c.clientId, account: c.account, name: c.name, created_by: c.createdBy, created_at: c.createdAt, scope: c.scope ?? null })) }));
    return EXIT_OK;
  }
  for (const c of clients) io.out(`${c.clientId}: ${c.account}${c.name === '' ? '' : ` "${c.name}"`}${c.scope === undefined ? '' : ` at ${c.scope}`} (by ${c.createdBy})`);
  return EXIT_OK;
}
