import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readCookie, readCookies } from '../../src/session/cookie-jar';

const NAME = 'caps_session';

describe('readCookie', () => {
  const cases = [
    'caps_session=abc',
    'theme=dark; caps_session=abc; lang=en',
    ' \tcaps_session \t= abc \t; theme=dark',
    'xcaps_session=1; caps_session_old=2; caps_session=3',
    'caps_session=first; caps_session=second',
    'caps_session; theme=dark; caps_session=after-a-pair-without-equals',
    'noequals; caps_session=v=with=equals;',
    'caps_session=%41%42; other=1',
    'caps_session=%E0%A4%A; other=1',
    'caps_session=',
    'theme=dark',
    '',
    ';;;caps_session=x;;',
    'caps_session="quoted"',
  ];
  for (const header of cases) {
    it(`reads ${JSON.stringify(header)} as the cookie library does`, () => {
      assert.equal(readCookie(header, NAME), readCookies(header)[NAME]);
    });
  }

  it('agrees with the cookie library on 2000 generated headers', () => {
    const pieces = ['caps_session', 'caps_sessio', 'xcaps_session', '=', ';', ' ', '\t', 'a', '%41', '%', 'abc.def', '"'];
    let seed = 42;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
    for (let round = 0; round < 2000; round++) {
      let header = '';
      const count = next() % 14;
      for (let i = 0; i < count; i++) header += pieces[next() % pieces.length]!;
      assert.equal(readCookie(header, NAME), readCookies(header)[NAME], JSON.stringify(header));
    }
  });

  it('reads a header sent as several lines', () => {
    assert.equal(readCookie(['theme=dark', 'caps_session=abc'], NAME), 'abc');
    assert.equal(readCookie(undefined, NAME), undefined);
  });
});
