import { isMap, isScalar, parseDocument } from 'yaml';
import { CapabilityPolicy } from '../capabilities/capability-policy';
import { scopeProblem } from '../capabilities/scope';
import { CapabilitiesError } from '../errors';
import { capabilityNameProblem } from '../capabilities/capability-name';
import { parseCapsFile } from '../capabilities/caps-file';
import { canonicalizeEmail } from '../capabilities/email';
import { CapsDocument, type EditableCaps } from './caps-document';
import { scanUsersBlock, type UsersBlock } from './users-block';
import { UsersBlockDocument } from './users-block.document';
import { scanScopesBlock, type ScopesBlock } from './scopes-block';
import { ScopesBlockDocument } from './scopes-block.document';

/** One valid version of the capability file: its text, its policy and its editable document. */
export interface LoadedCapsFile {
  readonly text: string;
  readonly policy: CapabilityPolicy;
  readonly document: EditableCaps;
}

/**
 * Validates `text` with `parseCapsFile` (throwing its `CapsFileError`, which names
 * `file`, the line and the offending name) and keeps the document for later edits.
 * A large `users` block in the strict one-line-per-account form, and a large `scopes`
 * block in the strict form, are read and edited line by line instead of through a
 * yaml Document; anything it is unsure about,
 * including every invalid file, goes through `parseCapsFile` as a whole, so errors
 * and meaning are the same either way. With `maxWholeParseBytes`, a file that needs
 * the yaml library and is larger is refused (`CAPS_FILE_TOO_LARGE`) before parsing.
 *
 * @example
 * const loaded = loadCapsFile(await readFile('caps.yaml', 'utf8'), 'caps.yaml');
 */
export function loadCapsFile(text: string, file: string, limits: { readonly maxWholeParseBytes?: number } = {}): LoadedCapsFile {
  const scopes = scanScopesBlock(text);
  const withScopes = scopes === undefined ? undefined : loadScopesLineByLine(text, file, scopes, limits);
  if (withScopes !== undefined) return withScopes;
  const block = scanUsersBlock(text);
  const fast = block === undefined ? undefined : loadLineByLine(text, file, block);
  if (fast !== undefined) return fast;
  assertWholeParseBounded(text, file, limits.maxWholeParseBytes);
  const policy = parseCapsFile(text, file);
  return { text, policy, document: CapsDocument.parse(text) };
}

/**
 * The yaml library takes about 1.5 s per megabyte on one core, so a large hand edit
 * that is not in the line-by-line form would stall every request of a running app.
 */
function assertWholeParseBounded(text: string, file: string, maxBytes: number | undefined): void {
  if (maxBytes === undefined) return;
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes <= maxBytes) return;
  throw new CapabilitiesError(
    'CAPS_FILE_TOO_LARGE',
    `${file}: ${bytes} bytes, not in the one-line-per-account form, is more than the ${maxBytes} bytes parsed while serving; ` +
      'write each account on one line ("  email: [a, b]") or restart the app to load it',
  );
}

function loadLineByLine(text: string, file: string, block: UsersBlock): LoadedCapsFile | undefined {
  if (!usersKeyIsAt(block.withoutEntries, block.usersOffset)) return undefined;
  let rest: CapabilityPolicy;
  try {
    rest = parseCapsFile(block.withoutEntries, file);
  } catch {
    return undefined; // the whole file is parsed again, for the error as the parser words it
  }
  const users = new Map<string, readonly string[]>();
  const emails: string[] = [];
  // The scanner shares one array per distinct list, so each is checked once.
  const checked = new Map<readonly string[], readonly string[] | undefined>();
  for (const entry of block.entries) {
    const canonical = canonicalizeEmail(entry.key);
    if (!('email' in canonical) || users.has(canonical.email)) return undefined;
    let names = checked.get(entry.names);
    if (!checked.has(entry.names)) {
      names = checkedNames(entry.names, rest);
      checked.set(entry.names, names);
    }
    if (names === undefined) return undefined;
    users.set(canonical.email, names);
    emails.push(canonical.email);
  }
  const policy = new CapabilityPolicy({ graph: rest.graph, defaults: rest.defaults, guest: rest.guest, pinned: rest.pinned, scopes: rest.scopes, identities: rest.identities, users });
  return { text, policy, document: new UsersBlockDocument(block, emails) };
}

// The file without the block's lines is loaded as any file is; the block's lines are
// checked here as the parser would, and any doubt sends the whole file to the parser.
function loadScopesLineByLine(text: string, file: string, block: ScopesBlock, limits: { readonly maxWholeParseBytes?: number }): LoadedCapsFile | undefined {
  let rest: LoadedCapsFile;
  try {
    rest = loadCapsFile([...block.before, ...block.after].join('\n'), file, limits);
  } catch {
    return undefined;
  }
  const scopes = new Map<string, Map<string, readonly string[]>>();
  const checked = new Map<readonly string[], readonly string[] | undefined>();
  // The same accounts come back at many scopes: each key as written is read once.
  const emails = new Map<string, string | undefined>();
  for (const chunk of block.chunks) {
    if (scopeProblem(chunk.scope) !== undefined || scopes.has(chunk.scope)) return undefined;
    const grants = new Map<string, readonly string[]>();
    for (const entry of chunk.entries) {
      if (entry === undefined) continue;
      let email = emails.get(entry.key);
      if (email === undefined && !emails.has(entry.key)) {
        const canonical = canonicalizeEmail(entry.key);
        email = 'email' in canonical ? canonical.email : undefined;
        emails.set(entry.key, email);
      }
      if (email === undefined || grants.has(email)) return undefined;
      let names = checked.get(entry.names);
      if (!checked.has(entry.names)) {
        names = checkedNames(entry.names, rest.policy);
        checked.set(entry.names, names);
      }
      if (names === undefined) return undefined;
      grants.set(email, names);
    }
    scopes.set(chunk.scope, grants);
  }
  // As the parser does: an account with nothing at a scope, and a scope with no account, grant nothing.
  for (const [scope, grants] of scopes) {
    for (const [email, names] of grants) if (names.length === 0) grants.delete(email);
    if (grants.size === 0) scopes.delete(scope);
  }
  const { graph, defaults, guest, users, pinned, identities } = rest.policy;
  const policy = new CapabilityPolicy({ graph, defaults, guest, users, pinned, identities, scopes });
  return { text, policy, document: new ScopesBlockDocument(block, rest.document) };
}

/** The list as the parser keeps it (first of each name, in order), or undefined when a name is not valid here. */
function checkedNames(names: readonly string[], policy: CapabilityPolicy): readonly string[] | undefined {
  const unique = [...new Set(names)];
  return unique.every((name) => capabilityNameProblem(name) === undefined && policy.graph.has(name)) ? unique : undefined;
}

// The `users:` line the scanner found must be the top-level key of the file, not text
// inside a multi-line string or flow collection; the file without its entries is small.
function usersKeyIsAt(withoutEntries: string, offset: number): boolean {
  const document = parseDocument(withoutEntries, { uniqueKeys: false });
  if (document.errors.length > 0 || !isMap(document.contents)) return false;
  const pair = document.contents.items.find((item) => isScalar(item.key) && item.key.value === 'users');
  const value = pair?.value;
  return isScalar(pair?.key) && pair.key.range?.[0] === offset && (value === null || (isScalar(value) && value.value === null));
}
