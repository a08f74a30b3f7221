import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CapabilitiesError, InvalidInputError } from '../../src/errors';
import {
  assertEmail,
  canonicalizeEmail,
  isServiceAccount,
  MAX_EMAIL_LENGTH,
  SERVICE_DOMAIN,
} from '../../src/capabilities/email';
import { thrown } from './fixtures';

function canonical(value: unknown): string {
  const result = canonicalizeEmail(value);
  assert.ok('email' in result, `expected ${JSON.stringify(value)} to be accepted, got ${JSON.stringify(result)}`);
  return result.email;
}

/** Asserts that `value` is refused, by canonicalizeEmail and by assertEmail alike, with `message`. */
function assertRefused(value: unknown, message: string): void {
  assert.deepEqual(canonicalizeEmail(value), { problem: message });
  const error = thrown(() => assertEmail(value));
  assert.ok(error instanceof InvalidInputError, 'an InvalidInputError');
  assert.ok(error instanceof CapabilitiesError);
  assert.deepEqual({ code: error.code, message: error.message, field: error.field }, { code: 'INVALID_EMAIL', message, field: 'email' });
}

const INVISIBLE = 'an email must not contain control or invisible characters';
const NEEDS_AT = (email: string): string => `${JSON.stringify(email)} is not an email address: it needs one @ between a name and a domain`;
const BAD_LOCAL = (email: string): string => `${JSON.stringify(email)} is not an email address: invalid characters before the @`;
const BAD_DOMAIN = (email: string): string => `${JSON.stringify(email)} is not an email address: invalid domain`;

describe('canonicalizeEmail: canonical form', () => {
  it('lower-cases the whole address', () => {
    assert.equal(canonical('Bob@Example.COM'), 'bob@example.com');
    assert.equal(canonical('BOB@EXAMPLE.COM'), 'bob@example.com');
  });

  it('removes surrounding white space', () => {
    assert.equal(canonical('  bob@example.com  '), 'bob@example.com');
    assert.equal(canonical('\tbob@example.com\n'), 'bob@example.com');
    assert.equal(canonical('\u3000bob@example.com'), 'bob@example.com', 'an ideographic space');
  });

  it('composes (NFC) without compatibility folding: canonically equivalent spellings are one address', () => {
    assert.equal(canonical('bob@Mu\u0308ller.de'), 'bob@m\u00fcller.de');
    assert.equal(canonical('bob@\u212aelvin.com'), 'bob@kelvin.com', 'the Kelvin sign is canonically a K');
  });

  it('removes trailing dots of the domain', () => {
    assert.equal(canonical('bob@example.com.'), 'bob@example.com');
    assert.equal(canonical('bob@example.com...'), 'bob@example.com');
    assert.equal(canonical(' Bob@Example.COM. '), 'bob@example.com');
  });

  it('keeps an international domain in its composed form', () => {
    assert.equal(canonical('Bob@Müller.DE'), 'bob@m\u00fcller.de');
    assert.equal(canonical('bob@Mu\u0308ller.de'), 'bob@m\u00fcller.de', 'a decomposed ü is composed');
  });

  it('accepts the allowed special characters before the @', () => {
    assert.equal(canonical("o'brien+tag_1.x-y@example.com"), "o'brien+tag_1.x-y@example.com");
  });

  it('is idempotent', () => {
    for (const value of ['Bob@Example.COM.', 'BOT@SERVICE', 'a@Müller.DE', 'a@Mu\u0308ller.DE']) {
      const once = canonical(value);
      assert.equal(canonical(once), once, value);
    }
  });

  it('accepts an address of exactly the maximum length', () => {
    assert.equal(MAX_EMAIL_LENGTH, 254);
    const email = `${'a'.repeat(MAX_EMAIL_LENGTH - '@example.com'.length)}@example.com`;
    assert.equal(email.length, 254);
    assert.equal(canonical(email), email);
  });
});

describe('canonicalizeEmail: rejections', () => {
  it('rejects a value that is not a string', () => {
    for (const value of [undefined, null, 42, ['bob@example.com'], { email: 'bob@example.com' }]) {
      assertRefused(value, 'an email must be a string');
    }
  });

  it('rejects an empty address, white space alone, and dots alone', () => {
    assertRefused('', 'an email must not be empty');
    assertRefused('   ', 'an email must not be empty');
    assertRefused('...', 'an email must not be empty');
  });

  it('rejects an address longer than the maximum', () => {
    const long = `${'a'.repeat(MAX_EMAIL_LENGTH - '@example.com'.length + 1)}@example.com`;
    assert.equal(long.length, 255);
    assertRefused(long, 'an email must be at most 254 characters');
  });

  it('rejects a huge value before normalizing it', () => {
    assertRefused('a'.repeat(MAX_EMAIL_LENGTH * 4 + 1), 'an email must be at most 254 characters');
  });

  it('rejects control characters', () => {
    for (const character of ['\u0000', '\u0007', '\n', '\r', '\u001b', '\u007f', '\u0085', '\u009f']) {
      assertRefused(`bo${character}b@example.com`, INVISIBLE);
    }
  });

  it('rejects zero-width and joiner characters', () => {
    for (const character of ['\u200b', '\u200c', '\u200d', '\u2060', '\ufeff', '\u00ad', '\u180e']) {
      assertRefused(`bo${character}b@example.com`, INVISIBLE);
    }
    assertRefused('bob@example.com\u200b', INVISIBLE);
  });

  it('rejects bidirectional marks and overrides', () => {
    for (const character of ['\u200e', '\u200f', '\u061c', '\u202a', '\u202e', '\u2066', '\u2069']) {
      assertRefused(`bob@exa${character}mple.com`, INVISIBLE);
    }
  });

  it('rejects Hangul fillers that render as nothing, also in their half-width form', () => {
    assertRefused('bob@\u3164.com', INVISIBLE);
    assertRefused('bob@\uffa0.com', INVISIBLE);
  });

  it('rejects an address without an @', () => {
    assertRefused('bob.example.com', NEEDS_AT('bob.example.com'));
    assertRefused('Bob', NEEDS_AT('bob'));
  });

  it('rejects an address with two @', () => {
    assertRefused('a@b@example.com', NEEDS_AT('a@b@example.com'));
    assertRefused('bob@@example.com', NEEDS_AT('bob@@example.com'));
    assertRefused('bob@example.com@x', NEEDS_AT('bob@example.com@x'));
  });

  it('rejects an address with nothing before or after the @', () => {
    assertRefused('@example.com', NEEDS_AT('@example.com'));
    assertRefused('bob@', NEEDS_AT('bob@'));
    assertRefused('bob@.', NEEDS_AT('bob@'));
  });

  it('rejects invalid characters and misplaced dots before the @', () => {
    assertRefused('bo b@example.com', BAD_LOCAL('bo b@example.com'));
    assertRefused('"bob"@example.com', BAD_LOCAL('"bob"@example.com'));
    assertRefused('jürgen@example.com', BAD_LOCAL('jürgen@example.com'));
    assertRefused('.bob@example.com', BAD_LOCAL('.bob@example.com'));
    assertRefused('bob.@example.com', BAD_LOCAL('bob.@example.com'));
    assertRefused('bo..b@example.com', BAD_LOCAL('bo..b@example.com'));
  });

  it('rejects an invalid domain', () => {
    assertRefused('bob@exa mple.com', BAD_DOMAIN('bob@exa mple.com'));
    assertRefused('bob@example..com', BAD_DOMAIN('bob@example..com'));
    assertRefused('bob@.example.com', BAD_DOMAIN('bob@.example.com'));
    assertRefused('bob@-example.com', BAD_DOMAIN('bob@-example.com'));
    assertRefused('bob@example-.com', BAD_DOMAIN('bob@example-.com'));
    assertRefused('bob@ex_ample.com', BAD_DOMAIN('bob@ex_ample.com'));
    assertRefused('bob@[127.0.0.1]', BAD_DOMAIN('bob@[127.0.0.1]'));
    assertRefused(`bob@${'a'.repeat(64)}.com`, BAD_DOMAIN(`bob@${'a'.repeat(64)}.com`));
  });
});

describe('assertEmail', () => {
  it('returns the canonical form', () => {
    assert.equal(assertEmail(' Bob@Example.COM. '), 'bob@example.com');
  });

  it('throws INVALID_EMAIL naming the field it is given', () => {
    const error = thrown(() => assertEmail('nobody', 'user'));
    assert.ok(error instanceof InvalidInputError);
    assert.equal(error.name, 'InvalidInputError');
    assert.deepEqual({ code: error.code, message: error.message, field: error.field }, {
      code: 'INVALID_EMAIL',
      message: NEEDS_AT('nobody'),
      field: 'user',
    });
  });
});

describe('canonicalizeEmail: compatibility forms are refused, never folded into another address', () => {
  const COMPATIBILITY =
    'an email must be written in plain characters: full-width, mathematical, circled and other compatibility forms (such as ＠ or ａ) are refused';
  const lookalikes: [string, string][] = [
    ['full-width letters', 'ａｄｍｉｎ@example.com'],
    ['mathematical bold letters', '\u{1d41a}\u{1d41d}\u{1d426}\u{1d422}\u{1d427}@example.com'],
    ['circled letters', 'ⓐⓓⓜⓘⓝ@example.com'],
    ['a full-width @', 'admin＠example.com'],
    ['a small commercial at', 'admin﹫example.com'],
    ['a full-width domain', 'admin@ｅｘａｍｐｌｅ．ｃｏｍ'],
    ['a ligature', 'of\ufb01ce@example.com'],
    ['superscript digits', 'admin\u00b2@example.com'],
    ['a service account in full-width', 'bot@ｓｅｒｖｉｃｅ'],
  ];
  for (const [what, value] of lookalikes) {
    it(`refuses ${what} with INVALID_EMAIL`, () => {
      assertRefused(value, COMPATIBILITY);
    });
  }

  it('still accepts a domain whose letters are not ASCII', () => {
    assert.equal(canonical('bob@Straße.de'), 'bob@straße.de');
    assert.equal(canonical('bob@Ελλάδα.gr'), 'bob@ελλάδα.gr');
  });
});

describe('isServiceAccount', () => {
  it('recognizes name@service', () => {
    assert.equal(SERVICE_DOMAIN, 'service');
    assert.equal(isServiceAccount('bot@service'), true);
  });

  it('recognizes every spelling that canonicalizes to a service account', () => {
    for (const spelling of ['BOT@SERVICE', 'bot@service.', ' Bot@Service ', 'BOT@SERVICE..']) {
      const email = canonical(spelling);
      assert.equal(email, 'bot@service', spelling);
      assert.equal(isServiceAccount(email), true, spelling);
    }
  });

  it('does not take people or look-alike domains for service accounts', () => {
    for (const email of ['bob@example.com', 'bot@service.com', 'bot@sub.service', 'bot@myservice', 'service@example.com']) {
      assert.equal(isServiceAccount(canonical(email)), false, email);
    }
    assert.equal(isServiceAccount(canonical('bot@\u0455ervice')), false, 'a Cyrillic s');
  });

  it('refuses invisible characters hidden in a service name before it could be compared', () => {
    assertRefused('bot@serv\u200bice', INVISIBLE);
    assertRefused('bot\u202e@service', INVISIBLE);
  });
});
