import type { CapabilityPolicy } from '../../capabilities/capability-policy';
import { isServiceAccount } from '../../capabilities/email';
import { escapeHtml, HOME_LINK, page } from './html';

/** How many of the file's accounts the development sign-in page lists. */
const LISTED_ACCOUNTS = 30;

/** An account of the capability file that can sign in, with what the file grants it. */
export interface DevAccount {
  readonly email: string;
  readonly capabilities: readonly string[];
}

/**
 * The accounts of `policy` a person can sign in as (no `@service` account), in the file's
 * order, at most `LISTED_ACCOUNTS` of them, and how many more there are.
 *
 * @example
 * devAccounts(policy) // { accounts: [{ email: 'admin@example.com', capabilities: ['admin'] }, ...], more: 0 }
 */
export function devAccounts(policy: CapabilityPolicy): { accounts: DevAccount[]; more: number } {
  const accounts: DevAccount[] = [];
  let more = 0;
  for (const [email, grants] of policy.users) {
    if (isServiceAccount(email)) continue;
    if (accounts.length === LISTED_ACCOUNTS) more += 1;
    else accounts.push({ email, capabilities: [...new Set([...grants, ...policy.pinnedTo(email)])] });
  }
  for (const [email, grants] of policy.pinned) {
    if (isServiceAccount(email) || policy.users.has(email)) continue;
    if (accounts.length === LISTED_ACCOUNTS) more += 1;
    else accounts.push({ email, capabilities: grants });
  }
  return { accounts, more };
}

/**
 * The page of `GET /login/dev`: one form, posting back to itself with the attempt's state,
 * and the accounts of the capability file in use, offered to the email field and listed.
 */
export function devSignInPage(state: string, listed: { accounts: readonly DevAccount[]; more: number }): string {
  const options = listed.accounts.map((account) => `<option value="${escapeHtml(account.email)}">`).join('');
  const items = listed.accounts
    .map((account) => `<li><code>${escapeHtml(account.email)}</code>${account.capabilities.length === 0 ? '' : `: ${account.capabilities.map(escapeHtml).join(', ')}`}</li>`)
    .join('\n');
  const more = listed.more === 0 ? '' : `<p>and ${listed.more} more.</p>`;
  const accounts =
    listed.accounts.length === 0
      ? ''
      : `<h2>Accounts of the capability file</h2>
<ul id="accounts">
${items}
</ul>
${more}<p>Any other address signs in too, with the capabilities every signed-in user has.</p>
<datalist id="account-emails">${options}</datalist>`;
  return page(
    'Development sign-in',
    `<h1>Development sign-in</h1>
<p class="warning"><strong>Development only.</strong> Anybody can sign in here as any email address.
This provider is refused when <code>NODE_ENV=production</code>.</p>
<form method="post">
<input type="hidden" name="state" value="${escapeHtml(state)}">
<p><label>Email <input type="text" name="email" autocomplete="email" list="account-emails" required autofocus></label></p>
<p><button type="submit">Sign in</button></p>
</form>
${accounts}
<p>${HOME_LINK}</p>`,
  );
}
