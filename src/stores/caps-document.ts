import { isMap, isScalar, isSeq, parseDocument, Pair, Scalar, YAMLMap, YAMLSeq, type Document } from 'yaml';
import { canonicalizeEmail } from '../capabilities/email';
import { isWithinScope } from '../capabilities/scope';
import { keepCommentsInPlace } from './comment-placement';

/** Reverts one change made to a `CapsDocument`. */
export type Undo = () => void;

/** The text of a caps.yaml file with its `users` open to changes; what the store writes back. */
export interface EditableCaps {
  /** Makes `capabilities` the list of `email`; returns how to take the change back. */
  setGrants(email: string, capabilities: readonly string[]): Undo;
  /**
   * Makes `identity` sign in to `email` in `identities`; returns how to take the change
   * back. A document without it (the line-by-line one) is parsed whole for a link.
   */
  setIdentity?(identity: string, email: string): Undo;
  /**
   * Removes `email` from `users` and each of `identities` from `identities`; returns how
   * to take the change back. A document without it is parsed whole, as for a link.
   */
  removeAccount?(email: string, identities: readonly string[]): Undo;
  /**
   * Makes `capabilities` the list of `email` at exactly `scope` in `scopes`; an empty
   * list removes the account there, and a scope left empty goes. Returns how to take
   * the change back. A document without it is parsed whole, as for a link.
   */
  setScopedGrants?(scope: string, email: string, capabilities: readonly string[]): Undo;
  /** Removes `scope` and every scope below it from `scopes`; returns how to take that back. */
  removeScopeTree?(scope: string): Undo;
  /** The whole file's text. */
  toString(): string;
}

// parseCapsFile already rejects duplicate users; the yaml library's own check
// compares each key with every earlier one, which is quadratic in the number of users.
const PARSE_OPTIONS = { uniqueKeys: false } as const;
// Lists print as `[a, b]` on one line, however long.
const PRINT_OPTIONS = { flowCollectionPadding: false, lineWidth: 0 } as const;

const USERS_KEY = 'users';
const SCOPES_KEY = 'scopes';
const IDENTITIES_KEY = 'identities';

/**
 * The text of a caps.yaml file as an editable yaml `Document`, with an index from
 * canonical email to its entry in `users`, so that changing one user costs the same
 * with ten users or a hundred thousand. Only the `users` mapping is ever changed;
 * comments, blank lines and key order elsewhere are printed back as they were read.
 *
 * @example
 * const document = CapsDocument.parse(text); // text already validated by parseCapsFile
 * const undo = document.setGrants('bob@example.com', ['read', 'write']);
 * await writeFileAtomic(file, document.toString());
 */
export class CapsDocument implements EditableCaps {
  private constructor(
    private readonly document: Document,
    private readonly entryByEmail: Map<string, Pair>,
  ) {}

  /** Parses text that `parseCapsFile` has accepted. */
  static parse(text: string): CapsDocument {
    const document = parseDocument(text, PARSE_OPTIONS);
    keepCommentsInPlace(document, text);
    const entryByEmail = new Map<string, Pair>();
    const users = document.get(USERS_KEY, true);
    if (isMap(users)) {
      for (const pair of users.items) {
        const canonical = canonicalizeEmail(isScalar(pair.key) ? pair.key.value : pair.key);
        if ('email' in canonical) entryByEmail.set(canonical.email, pair);
      }
    }
    return new CapsDocument(document, entryByEmail);
  }

  /**
   * Makes `capabilities` the list of `email` in `users`: the existing entry keeps
   * its key as written and its comments; a new one goes at the end.
   */
  setGrants(email: string, capabilities: readonly string[]): Undo {
    const entry = this.entryByEmail.get(email);
    return entry === undefined ? this.appendUser(email, capabilities) : replaceList(entry, capabilities);
  }

  /**
   * Links the provider identity `identity` to `email` in `identities`, which is
   * added at the end of the file when missing; every other line stays as it was.
   */
  setIdentity(identity: string, email: string): Undo {
    const root = this.document.contents as YAMLMap;
    const undos: Undo[] = [];
    let section = root.items.find((item) => isScalar(item.key) && item.key.value === IDENTITIES_KEY);
    if (section === undefined) {
      const created = new Pair(new Scalar(IDENTITIES_KEY), new YAMLMap());
      root.items.push(created);
      undos.push(() => void root.items.splice(root.items.lastIndexOf(created), 1));
      section = created;
    }
    if (!isMap(section.value)) {
      const pair = section;
      const previous = pair.value;
      pair.value = new YAMLMap();
      undos.push(() => void (pair.value = previous));
    }
    const links = section.value as YAMLMap;
    if (links.items.length === 0 && links.flow !== false) {
      const wasFlow = links.flow === true;
      links.flow = false;
      undos.push(() => void (links.flow = wasFlow));
    }
    const entry = links.items.find((item) => isScalar(item.key) && item.key.value === identity);
    if (entry === undefined) {
      const added = new Pair(new Scalar(identity), new Scalar(email));
      links.items.push(added);
      undos.push(() => void links.items.splice(links.items.lastIndexOf(added), 1));
    } else {
      const previous = entry.value;
      entry.value = new Scalar(email);
      undos.push(() => void (entry.value = previous));
    }
    return () => {
      for (const undo of undos.reverse()) undo();
    };
  }

  /**
   * Removes the entry of `email` in `users` and the entries of `identities` in
   * `identities`. A comment on an entry's own line goes with it; comment lines above
   * an entry stay, above the entry that follows (or at the end of the mapping).
   */
  removeAccount(email: string, identities: readonly string[]): Undo {
    const undos: Undo[] = [];
    const entry = this.entryByEmail.get(email);
    const users = this.document.get(USERS_KEY, true);
    if (entry !== undefined && isMap(users)) {
      undos.push(removePair(users, entry));
      this.entryByEmail.delete(email);
      undos.push(() => void this.entryByEmail.set(email, entry));
    }
    const scopes = this.document.get(SCOPES_KEY, true);
    if (isMap(scopes)) {
      for (const scope of [...scopes.items]) {
        if (!isMap(scope.value)) continue;
        const grants = scope.value;
        const held = grants.items.find((item) => isEntryOf(item, email));
        if (held === undefined) continue;
        undos.push(grants.items.length === 1 ? removePair(scopes, scope) : removePair(grants, held));
      }
    }
    const links = this.document.get(IDENTITIES_KEY, true);
    if (isMap(links)) {
      for (const identity of identities) {
        const link = links.items.find((item) => isScalar(item.key) && item.key.value === identity);
        if (link !== undefined) undos.push(removePair(links, link));
      }
    }
    return () => {
      for (const undo of undos.reverse()) undo();
    };
  }

  /**
   * Makes `capabilities` the list of `email` at exactly `scope` in `scopes`, which is
   * added at the end of the file when missing. An existing entry keeps its key as
   * written and its comments; a new account or scope goes at the end of its mapping.
   * An empty list removes the account there, and the scope when no account is left.
   */
  setScopedGrants(scope: string, email: string, capabilities: readonly string[]): Undo {
    const existing = this.document.get(SCOPES_KEY, true);
    const found = isMap(existing) ? existing.items.find((item) => isScalar(item.key) && item.key.value === scope) : undefined;
    const grants = found !== undefined && isMap(found.value) ? found.value : undefined;
    const entry = grants?.items.find((item) => isEntryOf(item, email));
    if (capabilities.length === 0) {
      if (entry === undefined || grants === undefined) return () => undefined;
      return grants.items.length === 1 ? removePair(existing as YAMLMap, found!) : removePair(grants, entry);
    }
    if (entry !== undefined) return replaceList(entry, capabilities);
    const added = new Pair(new Scalar(email), flowList(capabilities));
    if (grants !== undefined) return appendPair(grants, added);
    if (found !== undefined) {
      // `shop:paris:` with nothing below it yet.
      const previous = found.value;
      found.value = new YAMLMap();
      (found.value as YAMLMap).items.push(added);
      return () => void (found.value = previous);
    }
    const { map: scopes, undo } = this.blockMapping(SCOPES_KEY);
    const scopeGrants = new YAMLMap();
    scopeGrants.items.push(added);
    const undoScope = appendPair(scopes, new Pair(new Scalar(scope), scopeGrants));
    return () => {
      undoScope();
      undo();
    };
  }

  /** Removes `scope` and every scope below it from `scopes`, comments above them moving on as for an account. */
  removeScopeTree(scope: string): Undo {
    const scopes = this.document.get(SCOPES_KEY, true);
    if (!isMap(scopes)) return () => undefined;
    const undos: Undo[] = [];
    for (const pair of [...scopes.items]) {
      if (isScalar(pair.key) && typeof pair.key.value === 'string' && isWithinScope(pair.key.value, scope)) undos.push(removePair(scopes, pair));
    }
    return () => {
      for (const undo of undos.reverse()) undo();
    };
  }

  /** The whole file's text. */
  toString(): string {
    return this.document.toString(PRINT_OPTIONS);
  }

  private appendUser(email: string, capabilities: readonly string[]): Undo {
    const { map: users, undo: undoUsers } = this.blockMapping(USERS_KEY);
    const entry = new Pair(new Scalar(email), flowList(capabilities));
    users.items.push(entry);
    this.entryByEmail.set(email, entry);
    return () => {
      users.items.splice(users.items.lastIndexOf(entry), 1);
      this.entryByEmail.delete(email);
      undoUsers();
    };
  }

  // `users` (or `scopes`) may be missing, empty (`users:`) or an empty flow mapping (`users: {}`).
  private blockMapping(name: string): { map: YAMLMap; undo: Undo } {
    const root = this.document.contents as YAMLMap;
    const pair = root.items.find((item) => isScalar(item.key) && item.key.value === name);
    if (pair === undefined) {
      const created = new Pair(new Scalar(name), new YAMLMap());
      root.items.push(created);
      return { map: created.value as YAMLMap, undo: () => void root.items.splice(root.items.lastIndexOf(created), 1) };
    }
    if (isMap(pair.value)) {
      const users = pair.value;
      if (users.items.length > 0 || users.flow !== true) return { map: users, undo: () => undefined };
      users.flow = false;
      return { map: users, undo: () => void (users.flow = true) };
    }
    const previous = pair.value;
    const key = pair.key as Scalar;
    const previousKeyComment = key.comment;
    const users = new YAMLMap();
    // `users:   # none yet` holds its comment on the empty value; keep it on the key's line.
    if (isScalar(previous) && previous.comment != null && key.comment == null) key.comment = previous.comment;
    pair.value = users;
    return {
      map: users,
      undo: () => {
        pair.value = previous;
        key.comment = previousKeyComment ?? null;
      },
    };
  }
}

function isEntryOf(pair: Pair, email: string): boolean {
  const canonical = canonicalizeEmail(isScalar(pair.key) ? pair.key.value : pair.key);
  return 'email' in canonical && canonical.email === email;
}

function appendPair(map: YAMLMap, pair: Pair): Undo {
  map.items.push(pair);
  return () => void map.items.splice(map.items.lastIndexOf(pair), 1);
}

// The comment lines above a removed entry may head the entries after it: they move to the next one.
function removePair(map: YAMLMap, pair: Pair): Undo {
  const index = map.items.indexOf(pair);
  map.items.splice(index, 1);
  const above = isScalar(pair.key) ? pair.key.commentBefore : undefined;
  const next = map.items[index];
  let restore: Undo = () => undefined;
  if (above != null) {
    if (next !== undefined && isScalar(next.key)) {
      const key = next.key;
      const previous = key.commentBefore;
      key.commentBefore = previous == null ? above : `${above}\n${previous}`;
      restore = () => void (key.commentBefore = previous ?? null);
    } else if (next === undefined) {
      const previous = map.comment;
      map.comment = previous == null ? above : `${above}\n${previous}`;
      restore = () => void (map.comment = previous ?? null);
    }
  }
  return () => {
    restore();
    map.items.splice(index, 0, pair);
  };
}

function replaceList(entry: Pair, capabilities: readonly string[]): Undo {
  const previous = entry.value;
  const list = flowList(capabilities);
  if (isSeq(previous) || isScalar(previous)) {
    if (previous.comment != null) list.comment = previous.comment;
    if (previous.commentBefore != null) list.commentBefore = previous.commentBefore;
  }
  entry.value = list;
  return () => {
    entry.value = previous;
  };
}

function flowList(capabilities: readonly string[]): YAMLSeq {
  const list = new YAMLSeq();
  list.flow = true;
  list.items = capabilities.map((name) => new Scalar(name));
  return list;
}
