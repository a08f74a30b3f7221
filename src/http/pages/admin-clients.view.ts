import type { ClientRecord } from '../../clients/client';
import { escapeHtml as e } from './html';

/** A client just made, shown on the page this once. */
export interface NewClient {
  readonly clientId: string;
  readonly secret: string;
}

/**
 * The OAuth clients section of the admin page: a form to give a service account a
 * client, and every live client with a button to revoke it. Never a secret: the new
 * one is shown once, in the notice (see `newClientHtml`).
 */
export function clientsHtml(clients: readonly ClientRecord[], action: string): string {
  const rows = clients
    .map(
      (client) =>
        `<tr data-client="${e(client.clientId)}"><td><code>${e(client.clientId)}</code></td><td>${e(client.account)}</td><td>${e(client.name)}</td><td>${e(client.scope ?? '')}</td><td>${e(client.createdBy)}</td><td><form method="post" action="${e(action)}" class="inline">${hiddenField('op', 'client_revoke')}${hiddenField('client_id', client.clientId)}<button type="submit">Revoke</button></form></td></tr>`,
    )
    .join('\n');
  return `<h2>OAuth clients</h2>
<p class="muted">A service account's client fetches short-lived tokens itself at <code>POST /token</code> (grant_type=client_credentials).</p>
<fieldset><legend>Create an OAuth client</legend><form method="post" action="${e(action)}" id="client-form">${hiddenField('op', 'client_create')}
<p><label>Service account <input name="account" required placeholder="bot@service"></label> <label>Name <input name="name" maxlength="100"></label></p>
<button type="submit">Create client</button></form></fieldset>
<div class="scroll"><table id="clients"><thead><tr><th>Client id</th><th>Account</th><th>Name</th><th>Scope</th><th>Created by</th><th></th></tr></thead><tbody>
${rows || '<tr><td colspan="6" class="muted">No OAuth client.</td></tr>'}
</tbody></table></div>`;
}

/** The notice's part that shows a new client's id and secret, this once. */
export function newClientHtml(client: NewClient | undefined): string {
  if (client === undefined) return '';
  return `<p>Client id: <code id="new-client-id">${e(client.clientId)}</code></p><p>Client secret, shown this once: <code id="new-client-secret">${e(client.secret)}</code></p>`;
}

function hiddenField(name: string, value: string): string {
  return `<input type="hidden" name="${e(name)}" value="${e(value)}">`;
}
