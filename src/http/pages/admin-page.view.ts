import type { AuditEntry } from '../../audit/audit-log';
import type { AccountPage } from '../../capabilities/account-index';
import type { CapabilityPolicy } from '../../capabilities/capability-policy';
import type { CapabilitySet } from '../../capabilities/capability-set';
import type { ApiKeyRecord } from '../../api-keys/api-key';
import type { ClientRecord } from '../../clients/client';
import { clientsHtml, newClientHtml, type NewClient } from './admin-clients.view';
import type { CapabilitiesErrorCode } from '../../errors';
import { deleteAccountControl, offersDeletion } from './admin-delete.view';
import { codeLine } from './denial-page';
import { scopedGrantsHtml, type ScopeSection } from './admin-scopes.view';
import { ADMIN_PAGE_SIZE, viewQuery, type AdminView } from './admin-view';
import { escapeHtml as e, page } from './html';

/** Everything the admin page shows, gathered by the controller. */
export interface AdminPageModel {
  readonly manager: string;
  readonly policy: CapabilityPolicy;
  /** The capabilities the manager may grant or remove (the whole closure held), sorted. */
  readonly grantable: readonly string[];
  /** The search, filter and pages shown; its page numbers are within the lists. */
  readonly view: AdminView;
  /** The people of the view's page, and how many match. */
  readonly accounts: AccountPage;
  /** The service accounts of the view's page, and how many match. */
  readonly services: AccountPage;
  readonly keys: readonly ApiKeyRecord[];
  /** The live OAuth clients. */
  readonly clients: readonly ClientRecord[];
  readonly audit: readonly AuditEntry[];
  readonly keysMayNeverExpire: boolean;
  /** The page's own path, where its links and forms go (with the view's query). */
  readonly action: string;
  readonly notice?: AdminNotice | undefined;
  /** The scoped grants: one section of every scope for a global manager; none shown when left out. */
  readonly scopes?: readonly ScopeSection[] | undefined;
}

/** What the admin page shows a manager who holds `user_management` at some scopes only. */
export interface ScopedAdminPageModel {
  readonly manager: string;
  /** One section per scope they manage (the outermost ones), with the grants there and below. */
  readonly scopes: readonly ScopeSection[];
  /** The page's own path, where its forms go. */
  readonly action: string;
  readonly notice?: AdminNotice | undefined;
}

/** The outcome of a form, shown at the top of the page: a refusal carries its error's code. */
export type AdminNotice =
  | { readonly kind: 'ok'; readonly text: string; readonly key?: string; readonly client?: NewClient }
  /** A removal not made yet: what it would change, and the form that makes it. */
  | { readonly kind: 'confirm'; readonly text: string; readonly changes: readonly string[]; readonly fields: Readonly<Record<string, string>> }
  | { readonly kind: 'refused'; readonly text: string; readonly code: CapabilitiesErrorCode };

const STYLE = `<style>
body{max-width:64rem}table{border-collapse:collapse;width:100%}th,td{text-align:left;vertical-align:top;padding:.3rem .4rem;border-bottom:1px solid #ddd}
.scroll{overflow-x:auto}.cap{display:inline-block;margin:0 .3rem .2rem 0}.cap button{font-size:.75rem;padding:0 .3rem;margin-left:.1rem}
form.inline{display:inline}.ok{background:#d1e7dd;padding:.5rem 1rem;border-radius:.3rem}.refused{background:#f8d7da;padding:.5rem 1rem;border-radius:.3rem}.confirm{background:#fff3cd;padding:.5rem 1rem;border-radius:.3rem}
input,select,button{font-size:1rem;max-width:100%}fieldset{border:1px solid #ccc;margin:.5rem 0}.muted{color:#666}
.pager{display:flex;gap:1rem;align-items:baseline;flex-wrap:wrap;margin:.5rem 0}
</style>`;

/**
 * The admin page: a page of the accounts with their stored and effective capabilities,
 * forms to add and remove what the manager may grant and to delete an account, a page of
 * the service accounts, API keys, the latest audit entries. Every value is escaped; every
 * form posts to the page itself, in the same view (search, filter, pages).
 */
export function adminPage(model: AdminPageModel): string {
  return page(
    'Capabilities',
    `${headHtml(model)}
${searchHtml(model)}
${accountsHtml(model)}
${model.scopes === undefined ? '' : scopedGrantsHtml(model.scopes, postTo(model))}
${serviceAccountsHtml(model)}
${keysHtml(model)}
${clientsHtml(model.clients, postTo(model))}
${auditHtml(model.audit)}`,
  );
}

/**
 * The admin page of a manager of some scopes only: the scopes they manage, each with
 * its grants and below, and forms to grant and remove there; nothing global.
 */
export function scopedAdminPage(model: ScopedAdminPageModel): string {
  return page(
    'Capabilities',
    `${headHtml(model)}
${scopedGrantsHtml(model.scopes, e(model.action))}`,
  );
}

/** Where a form posts: the page itself, in the view shown. */
function postTo(model: AdminPageModel): string {
  return e(`${model.action}${viewQuery(model.view)}`);
}

/** The delete control of `email`'s row, where the page offers it; posting back to the same view. */
function deletionControl(email: string, model: AdminPageModel): string {
  const { policy } = model;
  if (!offersDeletion(email, model.manager, policy.pinned.has(email), policy.stored(email), model.grantable)) return '';
  return deleteAccountControl(email, `${model.action}${viewQuery(model.view)}`);
}

function searchHtml(model: AdminPageModel): string {
  const { view } = model;
  const names = [...model.policy.graph.names].sort();
  const options = names.map((name) => `<option value="${e(name)}"${name === view.capability ? ' selected' : ''}>${e(name)}</option>`).join('');
  // A name the graph lacks stays selected, so the page says what matched nothing.
  const unknown = view.capability !== undefined && !model.policy.graph.has(view.capability) ? `<option value="${e(view.capability)}" selected>${e(view.capability)}</option>` : '';
  return `<form method="get" action="${e(model.action)}" role="search" id="search-form"><label>Search by email <input type="search" name="email" value="${e(view.search)}"></label>
<label>Holding <select name="capability"><option value="">any capability</option>${options}${unknown}</select></label> <button type="submit">Search</button></form>`;
}

/**
 * "51–100 of 1,234" and links to the pages before and after, which keep the rest of
 * the view; `turn` gives the view of another page of this list.
 */
function pagerHtml(id: string, list: AccountPage, current: number, turn: (page: number) => AdminView, action: string): string {
  const first = (current - 1) * ADMIN_PAGE_SIZE;
  const shown = list.emails.length === 0 ? `0 of ${list.total.toLocaleString('en-US')}` : `${(first + 1).toLocaleString('en-US')}–${(first + list.emails.length).toLocaleString('en-US')} of ${list.total.toLocaleString('en-US')}`;
  const link = (page: number, rel: string, label: string): string => `<a rel="${rel}" href="${e(`${action}${viewQuery(turn(page))}`)}">${label}</a>`;
  const previous = current > 1 ? link(current - 1, 'prev', 'Previous') : '';
  const next = first + list.emails.length < list.total ? link(current + 1, 'next', 'Next') : '';
  return `<nav class="pager" id="${id}" aria-label="pages of the ${id === 'accounts-pager' ? 'accounts' : 'service accounts'}"><span class="count">${shown}</span>${previous}${next}</nav>`;
}

// The top of both pages: who is signed in, and the outcome of the last form.
function headHtml(model: { readonly manager: string; readonly notice?: AdminNotice | undefined; readonly action: string }): string {
  return `${STYLE}
<h1>Capabilities</h1>
<p>Signed in as <strong id="manager">${e(model.manager)}</strong> · <a href="/">Home</a></p>
${noticeHtml(model)}`;
}

function noticeHtml(model: { readonly notice?: AdminNotice | undefined; readonly action: string }): string {
  const notice = model.notice;
  if (notice === undefined) return '';
  if (notice.kind === 'confirm') {
    const changes = notice.changes.map((line) => `<li>${e(line)}</li>`).join('');
    return `<div id="notice" class="confirm" role="status"><p>${e(notice.text)}</p><ul id="plan">${changes}</ul><form method="post" action="${e(model.action)}" class="inline">${hidden({ ...notice.fields, confirmed: 'yes' })}<button type="submit" id="confirm">Confirm</button></form> <a href="${e(model.action)}">Cancel</a></div>`;
  }
  if (notice.kind === 'refused') {
    return `<div id="notice" class="refused" role="status" data-code="${e(notice.code)}"><p>Refused: ${e(notice.text)}</p>${codeLine(notice.code)}</div>`;
  }
  const key = notice.key === undefined ? '' : `<p>The key, shown this once: <code id="new-key">${e(notice.key)}</code></p>`;
  return `<div id="notice" class="ok" role="status"><p>${e(notice.text)}</p>${key}${newClientHtml(notice.client)}</div>`;
}

function hidden(fields: Record<string, string>): string {
  return Object.entries(fields)
    .map(([name, value]) => `<input type="hidden" name="${e(name)}" value="${e(value)}">`)
    .join('');
}

function capabilityOptions(names: readonly string[]): string {
  return names.map((name) => `<option value="${e(name)}">${e(name)}</option>`).join('');
}

function accountsHtml(model: AdminPageModel): string {
  const { grantable, view } = model;
  const action = postTo(model);
  const rows = model.accounts.emails.map((email) => accountRow(email, model, action)).join('\n');
  const addForm = grantable.length === 0
    ? '<p class="muted">You hold no capability you could grant.</p>'
    : `<form method="post" action="${action}" id="grant-form">${hidden({ op: 'add' })}
<label>Email <input type="email" name="email" required></label>
<label>Capability <select name="capability">${capabilityOptions(grantable)}</select></label>
<button type="submit">Grant</button></form>`;
  return `<h2>Accounts</h2>
<fieldset><legend>Grant a capability</legend>${addForm}</fieldset>
${pagerHtml('accounts-pager', model.accounts, view.page, (page) => ({ ...view, page }), model.action)}
<div class="scroll"><table id="accounts"><thead><tr><th>Email</th><th>Stored</th><th>Effective</th><th>Add</th><th></th></tr></thead><tbody>
${rows || '<tr><td colspan="5" class="muted">No account matches.</td></tr>'}
</tbody></table></div>`;
}

/** One account's row; `action` is escaped already. */
function accountRow(email: string, model: AdminPageModel, action: string): string {
  const { policy, grantable } = model;
  const stored = [...policy.stored(email)].sort();
  const pinned = [...policy.pinnedTo(email)].sort();
  const storedHtml = stored
    .map((name) => {
      const remove = grantable.includes(name)
        ? `<form method="post" action="${action}" class="inline">${hidden({ op: 'remove', email, capability: name })}<button type="submit" aria-label="remove ${e(name)} from ${e(email)}">×</button></form>`
        : '';
      return `<span class="cap">${e(name)}${remove}</span>`;
    })
    .join('');
  const pinnedHtml = pinned.map((name) => `<span class="cap muted" title="pinned in the file">${e(name)} (pinned)</span>`).join('');
  const effective = policy.effective(email);
  // What the account lacks: nothing it holds already, by a grant, an implication, a pin or the default.
  const addable = grantable.filter((name) => !effective.has(name));
  const add = addable.length === 0
    ? ''
    : `<form method="post" action="${action}" class="inline">${hidden({ op: 'add', email })}<select name="capability" aria-label="capability for ${e(email)}">${capabilityOptions(addable)}</select> <button type="submit">Add</button></form>`;
  return `<tr data-email="${e(email)}"><td>${e(email)}</td><td class="stored">${storedHtml}${pinnedHtml}</td><td class="effective">${e(effectiveOf(effective))}</td><td>${add}</td><td>${deletionControl(email, model)}</td></tr>`;
}

function effectiveOf(set: CapabilitySet): string {
  return set.toArray().join(', ');
}

function serviceAccountsHtml(model: AdminPageModel): string {
  const { view } = model;
  const rows = model.services.emails
    .map(
      (email) =>
        `<tr data-service="${e(email)}"><td>${e(email)}</td><td>${e(effectiveOf(model.policy.effective(email)))}</td><td><form method="post" action="${postTo(model)}" class="inline">${hidden({ op: 'revoke_all', email })}<button type="submit">Revoke every token</button></form>${deletionControl(email, model)}</td></tr>`,
    )
    .join('\n');
  return `<h2>Service accounts</h2>
<p class="muted">Service tokens are minted with <code>GET /token?user=NAME@service</code>; revoking ends every token issued so far.</p>
${pagerHtml('services-pager', model.services, view.servicesPage, (servicesPage) => ({ ...view, servicesPage }), model.action)}
<div class="scroll"><table id="services"><thead><tr><th>Account</th><th>Effective</th><th></th></tr></thead><tbody>
${rows || '<tr><td colspan="3" class="muted">No service account matches.</td></tr>'}
</tbody></table></div>`;
}

function keysHtml(model: AdminPageModel): string {
  const rows = model.keys
    .map((key) => {
      const expiry = key.expiresAt === null ? 'never' : new Date(key.expiresAt * 1000).toISOString().slice(0, 10);
      return `<tr data-key="${e(key.name)}"><td>${e(key.name)}</td><td>${e(key.capabilities.join(', '))}</td><td>${e(expiry)}</td><td>${e(key.createdBy)}</td><td>${e(key.note)}</td><td><form method="post" action="${postTo(model)}" class="inline">${hidden({ op: 'key_revoke', name: key.name })}<button type="submit">Revoke</button></form></td></tr>`;
    })
    .join('\n');
  const choices = model.grantable.map((name) => `<label class="cap"><input type="checkbox" name="capabilities" value="${e(name)}"> ${e(name)}</label>`).join('');
  const lifetimes = [
    ['2592000', '30 days'],
    ['7776000', '90 days'],
    ['31536000', '1 year'],
    ...(model.keysMayNeverExpire ? [['never', 'never']] : []),
  ]
    .map(([value, label]) => `<option value="${value}"${value === '7776000' ? ' selected' : ''}>${label}</option>`)
    .join('');
  const create = model.grantable.length === 0
    ? ''
    : `<fieldset><legend>Create an API key</legend><form method="post" action="${postTo(model)}" id="key-form">${hidden({ op: 'key_create' })}
<p><label>Name <input name="name" required pattern="[A-Za-z0-9][A-Za-z0-9._\\-]{0,63}"></label></p>
<p>${choices}</p>
<p><label>Expires in <select name="expires_in">${lifetimes}</select></label> <label>Note <input name="note" maxlength="500"></label></p>
<button type="submit">Create key</button></form></fieldset>`;
  return `<h2>API keys</h2>
${create}
<div class="scroll"><table id="keys"><thead><tr><th>Name</th><th>Capabilities</th><th>Expires</th><th>Created by</th><th>Note</th><th></th></tr></thead><tbody>
${rows || '<tr><td colspan="6" class="muted">No API key.</td></tr>'}
</tbody></table></div>`;
}

function auditHtml(entries: readonly AuditEntry[]): string {
  const rows = entries
    .map(
      (entry) =>
        `<tr class="${entry.outcome}"><td>${e(entry.at.replace('T', ' ').slice(0, 19))}</td><td>${e(entry.actor)}</td><td>${e(entry.action)}</td><td>${e(entry.target)}</td><td>${e(entry.outcome)}</td><td>${e(entry.detail)}</td></tr>`,
    )
    .join('\n');
  return `<h2>Latest changes</h2>
<div class="scroll"><table id="audit"><thead><tr><th>When (UTC)</th><th>Who</th><th>Action</th><th>Target</th><th>Outcome</th><th>Detail</th></tr></thead><tbody>
${rows || '<tr><td colspan="6" class="muted">Nothing yet.</td></tr>'}
</tbody></table></div>`;
}
