import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertCapabilityName } from '../../src/capabilities/capability-name';
import { assertEmail } from '../../src/capabilities/email';
import { assertWellFormedText } from '../../src/capabilities/well-formed-text';
import type { InvalidInputError } from '../../src/errors';

function assertRefused(value: string, message: string): void {
  assert.throws(
    () => assertWellFormedText(value, 'note'),
    (error: InvalidInputError) => error.code === 'INPUT_INVALID' && error.field === 'note' && error.message === message,
    JSON.stringify(value),
  );
}

describe('well-formed text', () => {
  it('accepts any text of whole characters, tab included: accents, scripts, 4-byte emoji and their joiners', () => {
    for (const text of ['', 'CI deploys', 'a\tb', 'Grüße, 日本語, עברית', '🚀 deploy 😀', '👩‍👩‍👧 family', 'x'.repeat(100_000), '"quoted" \\ back\\slash']) {
      assert.equal(assertWellFormedText(text, 'note'), text);
    }
  });

  it('refuses each control character but tab, naming the field, the character and where it is', () => {
    assertRefused('x\r\u001b[2K', '"note" must be well-formed text: it holds a control character (U+000D) at position 2; only tab is allowed');
    for (const character of ['\u0000', '\u0007', '\n', '\r', '\u001b', '\u007f', '\u0085', '\u009b', '\u009f']) {
      const code = `U+${character.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;
      assertRefused(`ok${character}`, `"note" must be well-formed text: it holds a control character (${code}) at position 3; only tab is allowed`);
    }
  });

  it('refuses half of a character: a lone high or low surrogate, or the two halves in the wrong order', () => {
    const half = (code: string, position: number): string => `"note" must be well-formed text: it holds half of a character (${code}) at position ${position}, as when an emoji is cut in two`;
    assertRefused('deploy \ud83d', half('U+D83D', 8));
    assertRefused('\ude00 deploy', half('U+DE00', 1));
    assertRefused('x\ude00\ud83d', half('U+DE00', 2));
    assertRefused('\ud83d\ud83d\ude00', half('U+D83D', 1));
  });

  it('is refused by capability names and emails too, under their own codes', () => {
    for (const value of ['re\u001bad', 'read\ud83d', 're\nad']) {
      assert.throws(() => assertCapabilityName(value), { code: 'INVALID_CAPABILITY_NAME' }, JSON.stringify(value));
    }
    for (const value of ['bob\ud83d@example.com', 'bob@exam\ude00ple.com', 'bob\u001b@example.com']) {
      assert.throws(() => assertEmail(value), { code: 'INVALID_EMAIL' }, JSON.stringify(value));
    }
  });
});
