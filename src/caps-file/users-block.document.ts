import type { EditableCaps, Undo } from './caps-document';
import { isPlainKey, isPlainName, type UsersBlock } from './users-block';

/**
 * A large caps.yaml edited line by line: each account is one line of its `users`
 * block, so a change rewrites that line (keeping the key as written and its comment)
 * or adds one after the last account, and printing is one `join`. Every other byte
 * of the file stays as it was.
 *
 * @example
 * const document = new UsersBlockDocument(block, lineByEmail);
 * document.setGrants('bob@example.com', ['read']);
 */
export class UsersBlockDocument implements EditableCaps {
  private readonly lines: string[];
  private readonly entryByEmail: Map<string, { line: number; key: string; trailer: string }>;
  private readonly indent: string;
  private nextLine: number;

  /** `emails[i]` is the canonical email of `block.entries[i]`. */
  constructor(block: UsersBlock, emails: readonly string[]) {
    this.lines = block.lines.slice();
    this.indent = block.indent;
    this.entryByEmail = new Map(block.entries.map((entry, index) => [emails[index]!, entry]));
    this.nextLine = block.entries[block.entries.length - 1]!.line + 1;
  }

  setGrants(email: string, capabilities: readonly string[]): Undo {
    // A name or email that YAML would read otherwise (`123`, `true`, `a#b`) is written quoted.
    const list = `[${capabilities.map((name) => (isPlainName(name) ? name : JSON.stringify(name))).join(', ')}]`;
    const entry = this.entryByEmail.get(email);
    if (entry !== undefined) {
      const previous = this.lines[entry.line]!;
      this.lines[entry.line] = `${this.indent}${entry.key}: ${list}${entry.trailer}`;
      return () => void (this.lines[entry.line] = previous);
    }
    const line = this.nextLine++;
    const key = isPlainKey(email) ? email : JSON.stringify(email);
    this.lines.splice(line, 0, `${this.indent}${key}: ${list}`);
    this.entryByEmail.set(email, { line, key, trailer: '' });
    // Undone in reverse order by the batch, so the added line is still the last one.
    return () => {
      this.lines.splice(line, 1);
      this.entryByEmail.delete(email);
      this.nextLine--;
    };
  }

  toString(): string {
    return this.lines.join('\n');
  }
}
