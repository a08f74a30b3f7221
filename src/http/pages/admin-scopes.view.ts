import { escapeHtml as e } from './html';

/** Most scoped grants (account at one scope) one section of the admin page lists. */
export const ADMIN_SCOPED_ROWS = 200;

/** One account's grants at one scope, with what the manager may remove or add there. */
export interface ScopedGrantRow {
  readonly scope: string;
  readonly email: string;
  /** As stored, sorted. */
  readonly capabilities: readonly string[];
  /** What the manager may grant or remove at this scope (the whole closure held there), sorted. */
  readonly grantable: readonly string[];
}

/**
 * A part of the admin page about scoped grants: every scope for a global manager
 * (`scope` undefined), or one scope a scoped manager manages, with what lies below it.
 */
export interface ScopeSection {
  readonly scope: string | undefined;
  /** What the manager may grant at `scope` (globally for a global manager), sorted. */
  readonly grantable: readonly string[];
  /** The grants at the scope and below, by scope then email; at most `ADMIN_SCOPED_ROWS`. */
  readonly rows: readonly ScopedGrantRow[];
  /** How many rows there are in all. */
  readonly total: number;
}

/**
 * The scoped grants of the admin page: for each section, a form to grant at a scope
 * (a scoped manager's is filled with their scope; they may name one below it) and a
 * table of the grants with a remove button for what the manager may remove. Every form
 * carries its scope and posts to `postTo` (already escaped). Every value is escaped.
 *
 * @example scopedGrantsHtml([{ scope: 'shop:paris', grantable: ['bake'], rows: [], total: 0 }], '/manage_capabilities')
 */
export function scopedGrantsHtml(sections: readonly ScopeSection[], postTo: string): string {
  const heading = sections.length === 1 && sections[0]!.scope === undefined ? '<h2>Scoped grants</h2>' : '<h2>Scopes you manage</h2>';
  return `${heading}\n${sections.map((section, index) => sectionHtml(section, index, postTo)).join('\n')}`;
}

function sectionHtml(section: ScopeSection, index: number, postTo: string): string {
  const title = section.scope === undefined ? '' : `<h3>${e(section.scope)}</h3>`;
  const form =
    section.grantable.length === 0
      ? '<p class="muted">You hold no capability you could grant here.</p>'
      : `<form method="post" action="${postTo}" class="scope-grant-form" id="scope-grant-form-${index}"><input type="hidden" name="op" value="add">
<label>Scope <input name="scope" required value="${e(section.scope ?? '')}" placeholder="shop:paris"></label>
<label>Email <input type="email" name="email" required></label>
<label>Capability <select name="capability">${options(section.grantable)}</select></label>
<button type="submit">Grant at this scope</button></form>`;
  const rows = section.rows.map((row) => rowHtml(row, postTo)).join('\n');
  const more = section.total > section.rows.length ? `<p class="muted">The first ${section.rows.length} of ${section.total} scoped grants are shown.</p>` : '';
  return `<section class="scope-section" data-scope="${e(section.scope ?? '')}">${title}
<fieldset><legend>Grant${section.scope === undefined ? ' at a scope' : ` at ${e(section.scope)} or below`}</legend>${form}</fieldset>
<div class="scroll"><table class="scoped-grants"><thead><tr><th>Scope</th><th>Email</th><th>Stored there</th></tr></thead><tbody>
${rows || '<tr><td colspan="3" class="muted">No grant at a scope.</td></tr>'}
</tbody></table></div>${more}</section>`;
}

function rowHtml(row: ScopedGrantRow, postTo: string): string {
  const caps = row.capabilities
    .map((name) => {
      const remove = row.grantable.includes(name)
        ? `<form method="post" action="${postTo}" class="inline"><input type="hidden" name="op" value="remove"><input type="hidden" name="scope" value="${e(row.scope)}"><input type="hidden" name="email" value="${e(row.email)}"><input type="hidden" name="capability" value="${e(name)}"><button type="submit" aria-label="remove ${e(name)} from ${e(row.email)} at ${e(row.scope)}">×</button></form>`
        : '';
      return `<span class="cap">${e(name)}${remove}</span>`;
    })
    .join('');
  return `<tr data-scope="${e(row.scope)}" data-scoped-email="${e(row.email)}"><td>${e(row.scope)}</td><td>${e(row.email)}</td><td class="stored">${caps}</td></tr>`;
}

function options(names: readonly string[]): string {
  return names.map((name) => `<option value="${e(name)}">${e(name)}</option>`).join('');
}
