import { isPlainName } from './users-block';

/**
 * A fast reading of the `scopes` block of a large caps.yaml, for files written the way
 * the store writes them: a `  type:id/...:` line per scope, then one
 * `    email: [a, b]  # comment` line per account there. As for the `users` block, only
 * a strict subset of YAML is accepted; anything else goes to the yaml library, so the
 * meaning of a file never depends on the path it was read by.
 */

/** Scoped grants below this many lines are read through the yaml library. */
export const FAST_SCOPES_THRESHOLD = 1_000;

/** One account's line at a scope. */
export interface ScopedLine {
  /** The key as written (not canonical). */
  readonly key: string;
  readonly names: readonly string[];
  /** What follows the list on the line (spaces and a comment), kept when the line is rewritten. */
  readonly trailer: string;
}

/** One scope of the block: its own line, then every line up to the next scope (accounts, comments, blanks). */
export interface ScopeChunk {
  readonly scope: string;
  /** The lines of the chunk as written, the scope's line first. */
  readonly lines: readonly string[];
  /** For each line of `lines` that is an account's, the account: `undefined` for the others. */
  readonly entries: readonly (ScopedLine | undefined)[];
}

/** The file split around its `scopes` block. */
export interface ScopesBlock {
  /** The file's lines before the block, its `scopes:` line last. */
  readonly before: readonly string[];
  /** Comment and blank lines between `scopes:` and the first scope. */
  readonly leading: readonly string[];
  readonly chunks: readonly ScopeChunk[];
  /** The file's lines after the block. */
  readonly after: readonly string[];
  readonly scopeIndent: string;
  readonly entryIndent: string;
  /** How many account lines the block holds. */
  readonly grantLines: number;
}

const SCOPES_KEY_LINE = /^scopes:(?: +#.*| *)$/;
const SCOPE_LINE = /^( +)([a-z][a-z0-9_-]*:[A-Za-z0-9._~-]+(?:\/[a-z][a-z0-9_-]*:[A-Za-z0-9._~-]+)*):((?: +#.*| *))$/;
const ENTRY_LINE = /^( +)([A-Za-z0-9_][A-Za-z0-9._%+@-]*): +\[ *([A-Za-z0-9_., -]*?) *\]((?: +#.*| *))$/;
const BLANK_OR_COMMENT = /^ *(?:#.*)?$/;

/**
 * Splits `text` around a block-style `scopes:` mapping holding at least `minimum` account
 * lines, every scope and account line in the strict form; undefined otherwise (the
 * caller then uses the yaml library). Scopes and emails are not validated here.
 *
 * @example
 * const block = scanScopesBlock(text); // block?.chunks[0]?.scope === 'shop:paris'
 */
export function scanScopesBlock(text: string, minimum = FAST_SCOPES_THRESHOLD): ScopesBlock | undefined {
  if (text.includes('\r') || text.includes('\t') || text.charCodeAt(0) === 0xfeff || /^%/m.test(text)) return undefined;
  const lines = text.split('\n');
  let scopesLine = -1;
  for (let index = 0; index < lines.length; index++) {
    if (!SCOPES_KEY_LINE.test(lines[index]!)) continue;
    if (scopesLine !== -1) return undefined;
    scopesLine = index;
  }
  if (scopesLine === -1) return undefined;
  const leading: string[] = [];
  const chunks: { scope: string; lines: string[]; entries: (ScopedLine | undefined)[] }[] = [];
  const lists = new Map<string, readonly string[] | undefined>();
  let scopeIndent: string | undefined;
  let entryIndent: string | undefined;
  let grantLines = 0;
  // The empty string after the file's last newline is the file's end, not a line of the block.
  let end = lines[lines.length - 1] === '' ? lines.length - 1 : lines.length;
  const last = end;
  for (let index = scopesLine + 1; index < last; index++) {
    const line = lines[index]!;
    if (line.length > 0 && line[0] !== ' ' && line[0] !== '#') {
      end = index;
      break;
    }
    const current = chunks[chunks.length - 1];
    // Most lines are accounts': they are tried first.
    const entry = ENTRY_LINE.exec(line);
    if (entry !== null) {
      if (current === undefined || scopeIndent === undefined || entry[1]!.length <= scopeIndent.length) return undefined;
      if (entryIndent !== undefined && entry[1] !== entryIndent) return undefined;
      entryIndent = entry[1]!;
      const names = namesOf(entry[3]!, lists);
      if (names === undefined) return undefined;
      current.lines.push(line);
      current.entries.push({ key: entry[2]!, names, trailer: entry[4]! });
      grantLines++;
      continue;
    }
    const scope = SCOPE_LINE.exec(line);
    if (scope !== null) {
      if (scopeIndent !== undefined && scope[1] !== scopeIndent) return undefined;
      scopeIndent = scope[1]!;
      chunks.push({ scope: scope[2]!, lines: [line], entries: [undefined] });
      continue;
    }
    if (!BLANK_OR_COMMENT.test(line)) return undefined;
    if (current === undefined) leading.push(line);
    else {
      current.lines.push(line);
      current.entries.push(undefined);
    }
  }
  if (scopeIndent === undefined || entryIndent === undefined || grantLines < minimum) return undefined;
  return { before: lines.slice(0, scopesLine + 1), leading, chunks, after: lines.slice(end), scopeIndent, entryIndent, grantLines };
}

function namesOf(list: string, lists: Map<string, readonly string[] | undefined>): readonly string[] | undefined {
  if (lists.has(list)) return lists.get(list);
  const names: string[] = [];
  let valid = true;
  if (list !== '') {
    for (const raw of list.split(',')) {
      const name = raw.trim();
      if (!isPlainName(name)) valid = false;
      names.push(name);
    }
  }
  const read = valid ? names : undefined;
  lists.set(list, read);
  return read;
}
