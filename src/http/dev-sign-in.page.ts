import { escapeHtml, page } from './html';

/** The page of `GET /login/dev`: one form, posting back to itself with the attempt's state. */
export function devSignInPage(state: string): string {
  return page(
    'Development sign-in',
    `<h1>Development sign-in</h1>
<p class="warning"><strong>Development only.</strong> Anybody can sign in here as any email address.
This provider is refused when <code>NODE_ENV=production</code>.</p>
<form method="post">
<input type="hidden" name="state" value="${escapeHtml(state)}">
<p><label>Email <input type="text" name="email" autocomplete="email" required autofocus></label></p>
<p><button type="submit">Sign in</button></p>
</form>`,
  );
}
