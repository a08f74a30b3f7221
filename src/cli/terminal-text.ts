import type { CliIo } from './cli-io';

// What a terminal acts on or shows out of order: C0 controls but tab, DEL, C1 controls
// (U+009B alone starts an escape sequence on some terminals), line and paragraph
// separators, bidirectional marks and overrides, and halves of characters.
const UNSAFE = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
const SHORT: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\b': '\\b', '\f': '\\f' };

/**
 * `text` as one line that shows what it holds and does nothing else: every character
 * a terminal would act on is written as its escape (`\r`, `\n`, `\u001b`…), so stored
 * text (a key's note, an audit entry, from this version or an older one) can neither
 * forge a line nor move the cursor. A line of JSON stays the same JSON.
 *
 * @example terminalText('x\r\u001b[2Kfake\nline') // 'x\\r\\u001b[2Kfake\\nline'
 */
export function terminalText(text: string): string {
  return text.replace(UNSAFE, (character) => SHORT[character] ?? `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** `io` printing each line through `terminalText`: every line the command line prints goes this way. */
export function terminalIo(io: CliIo): CliIo {
  return { env: io.env, out: (line) => io.out(terminalText(line)), err: (line) => io.err(terminalText(line)) };
}

/** Prints `text`, which holds line breaks of its own making (usage, a YAML block), one line at a time. */
export function printLines(io: CliIo, text: string, to: 'out' | 'err' = 'out'): void {
  for (const line of text.split('\n')) io[to](line);
}
