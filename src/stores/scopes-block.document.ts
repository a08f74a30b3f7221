import { canonicalizeEmail } from '../capabilities/email';
import { isWithinScope } from '../capabilities/scope';
import type { EditableCaps, Undo } from './caps-document';
import type { ScopeChunk, ScopedLine, ScopesBlock } from './scopes-block';
import { isPlainKey, isPlainName } from './users-block';

const SCOPES_KEY_LINE = /^scopes:(?: +#.*| *)$/;

interface Chunk {
  readonly scope: string;
  // Replaced, never changed in place: the scanner's arrays are shared, and undo keeps the old ones.
  lines: readonly string[];
  entries: readonly (ScopedLine | undefined)[];
}

/**
 * A caps.yaml whose large `scopes` block is edited line by line: each scope is its own
 * line followed by one line per account, so a change rewrites, adds or removes a line
 * and printing is a `join`. The rest of the file is `rest`, a document of the file
 * without the block's lines, which takes every other change.
 *
 * @example
 * const document = new ScopesBlockDocument(block, CapsDocument.parse(textWithoutScopes));
 * document.setScopedGrants('shop:paris', 'bob@example.com', ['bake']);
 */
export class ScopesBlockDocument implements EditableCaps {
  readonly setIdentity?: (identity: string, email: string) => Undo;
  readonly removeAccount?: (email: string, identities: readonly string[]) => Undo;
  private readonly leading: string[];
  private chunks: Chunk[];
  private readonly byScope: Map<string, Chunk>;
  private readonly scopeIndent: string;
  private readonly entryIndent: string;

  constructor(
    block: ScopesBlock,
    private readonly rest: EditableCaps,
  ) {
    this.leading = [...block.leading];
    this.chunks = block.chunks.map((chunk: ScopeChunk) => ({ scope: chunk.scope, lines: chunk.lines, entries: chunk.entries }));
    this.byScope = new Map(this.chunks.map((chunk) => [chunk.scope, chunk]));
    this.scopeIndent = block.scopeIndent;
    this.entryIndent = block.entryIndent;
    const setIdentity = rest.setIdentity?.bind(rest);
    if (setIdentity !== undefined) this.setIdentity = setIdentity;
    const removeAccount = rest.removeAccount?.bind(rest);
    if (removeAccount !== undefined) {
      this.removeAccount = (email, identities) => {
        const undos = [removeAccount(email, identities)];
        for (const chunk of [...this.chunks]) undos.push(this.setScopedGrants(chunk.scope, email, []));
        return () => {
          for (const undo of undos.reverse()) undo();
        };
      };
    }
  }

  setGrants(email: string, capabilities: readonly string[]): Undo {
    return this.rest.setGrants(email, capabilities);
  }

  setScopedGrants(scope: string, email: string, capabilities: readonly string[]): Undo {
    const chunk = this.byScope.get(scope);
    if (chunk === undefined) {
      if (capabilities.length === 0) return () => undefined;
      const key = isPlainKey(email) ? email : JSON.stringify(email);
      const added: Chunk = { scope, lines: [`${this.scopeIndent}${scope}:`, this.entryLine(key, capabilities, '')], entries: [undefined, { key, names: capabilities, trailer: '' }] };
      this.chunks.push(added);
      this.byScope.set(scope, added);
      return () => {
        this.chunks.splice(this.chunks.lastIndexOf(added), 1);
        this.byScope.delete(scope);
      };
    }
    const before = { lines: chunk.lines, entries: chunk.entries };
    const restore = (): void => {
      chunk.lines = before.lines;
      chunk.entries = before.entries;
    };
    const at = chunk.entries.findIndex((entry) => entry !== undefined && canonicalOf(entry.key) === email);
    if (capabilities.length > 0) {
      const lines = [...chunk.lines];
      const entries = [...chunk.entries];
      if (at >= 0) {
        const entry = entries[at]!;
        lines[at] = this.entryLine(entry.key, capabilities, entry.trailer);
        entries[at] = { ...entry, names: capabilities };
      } else {
        const key = isPlainKey(email) ? email : JSON.stringify(email);
        const after = lastEntryIndex(chunk) + 1;
        lines.splice(after, 0, this.entryLine(key, capabilities, ''));
        entries.splice(after, 0, { key, names: capabilities, trailer: '' });
      }
      chunk.lines = lines;
      chunk.entries = entries;
      return restore;
    }
    if (at < 0) return () => undefined;
    if (chunk.entries.filter((entry) => entry !== undefined).length > 1) {
      chunk.lines = chunk.lines.filter((_, index) => index !== at);
      chunk.entries = chunk.entries.filter((_, index) => index !== at);
      return restore;
    }
    return this.removeChunk(chunk);
  }

  removeScopeTree(scope: string): Undo {
    const undos = this.chunks.filter((chunk) => isWithinScope(chunk.scope, scope)).map((chunk) => this.removeChunk(chunk));
    return () => {
      for (const undo of undos.reverse()) undo();
    };
  }

  toString(): string {
    const lines = this.rest.toString().split('\n');
    const at = lines.findIndex((line) => SCOPES_KEY_LINE.test(line));
    const printed = lines.slice(0, at + 1).concat(this.leading);
    for (const chunk of this.chunks) for (const line of chunk.lines) printed.push(line);
    for (let index = at + 1; index < lines.length; index++) printed.push(lines[index]!);
    return printed.join('\n');
  }

  // The comment and blank lines after a scope's last account may head the next scope: they stay.
  private removeChunk(chunk: Chunk): Undo {
    const index = this.chunks.indexOf(chunk);
    const kept = chunk.lines.slice(lastEntryIndex(chunk) + 1);
    const previous = this.chunks;
    const remaining = previous.filter((_, at) => at !== index);
    const host = remaining[index - 1];
    const hostBefore = host === undefined ? undefined : { lines: host.lines, entries: host.entries };
    const leadingLength = this.leading.length;
    if (host !== undefined && kept.length > 0) {
      host.lines = [...host.lines, ...kept];
      host.entries = [...host.entries, ...kept.map(() => undefined)];
    } else if (kept.length > 0) {
      this.leading.push(...kept);
    }
    this.chunks = remaining;
    this.byScope.delete(chunk.scope);
    return () => {
      this.chunks = previous;
      this.byScope.set(chunk.scope, chunk);
      if (host !== undefined && hostBefore !== undefined) {
        host.lines = hostBefore.lines;
        host.entries = hostBefore.entries;
      }
      this.leading.length = leadingLength;
    };
  }

  private entryLine(key: string, capabilities: readonly string[], trailer: string): string {
    // A name that YAML would read otherwise (`123`, `true`, `a#b`) is written quoted.
    return `${this.entryIndent}${key}: [${capabilities.map((name) => (isPlainName(name) ? name : JSON.stringify(name))).join(', ')}]${trailer}`;
  }
}

function lastEntryIndex(chunk: Chunk): number {
  for (let index = chunk.entries.length - 1; index > 0; index--) if (chunk.entries[index] !== undefined) return index;
  return 0;
}

function canonicalOf(key: string): string | undefined {
  const canonical = canonicalizeEmail(key);
  return 'email' in canonical ? canonical.email : undefined;
}
