/**
 * A fast reading of the `users` mapping of a large caps.yaml, for files written the
 * way the store writes them: one `  email: [a, b]  # comment` line per account.
 *
 * The yaml library builds a full editable Document (needed to keep comments) at about
 * 20 µs and several objects per user: 100,000 users took seconds to load and seconds
 * per write. This reader accepts only a strict subset of YAML whose meaning is not in
 * doubt (plain email keys, flow lists of plain names that no YAML schema reads as
 * anything but a string); any other line, and any file it is not sure about, goes to
 * the yaml library as before, so the meaning of a file never depends on the path.
 */

/** Users below this many lines are read through the yaml library, which is fast enough there. */
export const FAST_USERS_THRESHOLD = 1_000;

/** One account's line in the `users` block. */
export interface UserLine {
  /** Index of the line in the file. */
  readonly line: number;
  /** The key as written (not canonical). */
  readonly key: string;
  readonly names: readonly string[];
  /** What follows the list on the line (spaces and a comment), kept when the line is rewritten. */
  readonly trailer: string;
}

/** The file split around its `users` block. */
export interface UsersBlock {
  readonly lines: readonly string[];
  /** Index of the `users:` line, and the character offset where it starts. */
  readonly usersLine: number;
  readonly usersOffset: number;
  readonly entries: readonly UserLine[];
  /** The indentation of every entry. */
  readonly indent: string;
  /**
   * The file without its entry lines: what the yaml library still reads. Its line
   * numbers differ from the file's after the block, so it is never used to report an error.
   */
  readonly withoutEntries: string;
}

const USERS_KEY_LINE = /^users:(?: +#.*| *)$/;
// Plain keys and names made of characters that never start or end a YAML token here.
const ENTRY_LINE = /^( +)([A-Za-z0-9_][A-Za-z0-9._%+@-]*): +\[ *([A-Za-z0-9_., -]*?) *\]((?: +#.*| *))$/;
const PLAIN_KEY = /^[A-Za-z0-9_][A-Za-z0-9._%+@-]*$/;
const PLAIN_NAME = /^[A-Za-z][A-Za-z0-9_.-]*$/;
// The only plain scalars starting with a letter that the YAML 1.2 core schema reads as something else.
const NOT_STRINGS = new Set(['null', 'Null', 'NULL', 'true', 'True', 'TRUE', 'false', 'False', 'FALSE']);
const BLANK_OR_COMMENT = /^ *(?:#.*)?$/;

/**
 * Splits `text` around a block-style `users:` mapping of at least `minimum` strict
 * entry lines; undefined when the file has no such block or anything in it is not
 * in the strict form (the caller then uses the yaml library).
 *
 * @example
 * const block = scanUsersBlock(text); // block?.entries[0]?.key === 'alice@example.com'
 */
export function scanUsersBlock(text: string, minimum = FAST_USERS_THRESHOLD): UsersBlock | undefined {
  // A `%YAML 1.1` directive would make `yes`, `on` and the like booleans: not for this reader.
  if (text.includes('\r') || text.includes('\t') || text.charCodeAt(0) === 0xfeff || /^%/m.test(text)) return undefined;
  const lines = text.split('\n');
  let usersLine = -1;
  for (let index = 0; index < lines.length; index++) {
    if (!USERS_KEY_LINE.test(lines[index]!)) continue;
    if (usersLine !== -1) return undefined; // twice: let the parser say so
    usersLine = index;
  }
  if (usersLine === -1) return undefined;
  const entries: UserLine[] = [];
  // Most accounts hold one of a few lists: each distinct list is read once and shared.
  const lists = new Map<string, readonly string[] | undefined>();
  let indent: string | undefined;
  for (let index = usersLine + 1; index < lines.length; index++) {
    const line = lines[index]!;
    if (line.length > 0 && line[0] !== ' ' && line[0] !== '#') break;
    if (BLANK_OR_COMMENT.test(line)) continue;
    const entry = readEntry(line, index, lists);
    if (entry === undefined) return undefined;
    if (indent !== undefined && entry.indent !== indent) return undefined;
    indent = entry.indent;
    entries.push(entry.user);
  }
  if (indent === undefined || entries.length < minimum) return undefined;
  const entryLines = new Set(entries.map((entry) => entry.line));
  let usersOffset = 0;
  for (let index = 0; index < usersLine; index++) usersOffset += lines[index]!.length + 1;
  return { lines, usersLine, usersOffset, entries, indent, withoutEntries: lines.filter((_, index) => !entryLines.has(index)).join('\n') };
}

/** Whether `email` reads back as itself written as a plain key of an entry line. */
export function isPlainKey(email: string): boolean {
  return PLAIN_KEY.test(email);
}

/** Whether `name` reads back as the same string written plain in a flow list. */
export function isPlainName(name: string): boolean {
  return PLAIN_NAME.test(name) && !NOT_STRINGS.has(name);
}

function readEntry(line: string, index: number, lists: Map<string, readonly string[] | undefined>): { indent: string; user: UserLine } | undefined {
  const match = ENTRY_LINE.exec(line);
  if (match === null) return undefined;
  const [, indent = '', key = '', list = '', trailer = ''] = match;
  let names = lists.get(list);
  if (names === undefined && !lists.has(list)) {
    names = readList(list);
    lists.set(list, names);
  }
  return names === undefined ? undefined : { indent, user: { line: index, key, names, trailer } };
}

function readList(list: string): readonly string[] | undefined {
  const names: string[] = [];
  if (list === '') return names;
  for (const raw of list.split(',')) {
    const name = raw.trim();
    if (!isPlainName(name)) return undefined;
    names.push(name);
  }
  return names;
}
