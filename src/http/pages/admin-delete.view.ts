import { escapeHtml as e } from './html';

/**
 * The admin page's "delete account" control for `email`: a disclosure whose button posts
 * `op=delete`, so that deleting takes two clicks and no script. The controller applies it
 * with the rules of `POST /manage_capabilities/delete`.
 *
 * @example deleteAccountControl('bob@example.com', '/manage_capabilities') // '<details class="delete">…'
 */
export function deleteAccountControl(email: string, action: string): string {
  return `<details class="delete"><summary>Delete account</summary><form method="post" action="${e(action)}" class="inline"><input type="hidden" name="op" value="delete"><input type="hidden" name="email" value="${e(email)}"><button type="submit" aria-label="delete the account ${e(email)}">Delete ${e(email)}: its grants, identity links, sessions and tokens end</button></form></details>`;
}

/**
 * Whether the page offers to delete `email`: not the manager's own account (deleting
 * oneself is left to the API and the command line, where it is deliberate), not an
 * account pinned in the file, and only when the manager may remove every grant it holds.
 * The rules are applied again when the form is posted.
 */
export function offersDeletion(email: string, manager: string, pinned: boolean, stored: readonly string[], grantable: readonly string[]): boolean {
  return email !== manager && !pinned && stored.every((name) => grantable.includes(name));
}
