import { isMap, isScalar, parseDocument } from 'yaml';
import { CapabilityPolicy } from '../capabilities/capability-policy';
import { CapabilitiesError } from '../errors';
import { capabilityNameProblem } from '../capabilities/capability-name';
import { parseCapsFile } from '../capabilities/caps-file';
import { canonicalizeEmail } from '../capabilities/email';
import { CapsDocument, type EditableCaps } from './caps-document';
import { scanUsersBlock, type UsersBlock } from './users-block';
import { UsersBlockDocument } from './users-block.document';

/** One valid version of the capability file: its text, its policy and its editable document. */
export interface LoadedCapsFile {
  readonly text: string;
  readonly policy: CapabilityPolicy;
  readonly document: EditableCaps;
}

/**
 * Validates `text` with `parseCapsFile` (throwing its `CapsFileError`, which names
 * `file`, the line and the offending name) and keeps the document for later edits.
 * A large `users` block in the strict one-line-per-account form is read and edited
 * line by line instead of through a yaml Document; anything it is unsure about,
 * including every invalid file, goes through `parseCapsFile` as a whole, so errors
 * and meaning are the same either way. With `maxWholeParseBytes`, a file that needs
 * the yaml library and is larger is refused (`CAPS_FILE_TOO_LARGE`) before parsing.
 *
 * @example
 * const loaded = loadCapsFile(await readFile('caps.yaml', 'utf8'), 'caps.yaml');
 */
export function loadCapsFile(text: string, file: string, limits: { readonly maxWholeParseBytes?: number } = {}): LoadedCapsFile {
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
