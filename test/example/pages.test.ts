import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startExample, type RunningExample } from '../support/example-server';

const HTML = { accept: 'text/html' };

/** The text a person reads in the `<main>` of a page (or its body), tags left out. */
function readable(html: string): string {
  const main = /<main[^>]*>([\s\S]*?)<\/main>/.exec(html)?.[1] ?? html;
  return main.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');
}

/** How many times `word` stands as a word in `text`. */
function timesNamed(text: string, word: string): number {
  return text.split(new RegExp(`\\b${word}\\b`)).length - 1;
}

describe('the example app\'s pages, as a newcomer goes through them', () => {
  let example: RunningExample;

  before(async () => {
    example = await startExample();
  });
  after(() => example?.close());

  it('links the admin page from the home page, for everybody with what it needs, and for a manager beside the token', async () => {
    const guest = await example.client().get('/', HTML);
    assert.match(guest.text, /<li id="admin"><a href="\/manage_capabilities">the admin page<\/a> \(user_management\)/);
    assert.doesNotMatch(guest.text, /id="manage"/);
    const admin = await (await example.signedIn('admin@example.com')).get('/', HTML);
    assert.match(admin.text, /<a id="manage" href="\/manage_capabilities">Manage capabilities<\/a>/);
    const baker = await (await example.signedIn('baker@example.com')).get('/', HTML);
    assert.doesNotMatch(baker.text, /id="manage"/);
  });

  it('gives the token page, the 401 and 403 pages and the admin page a way home', async () => {
    const police = await example.signedIn('police@example.com');
    const pages: [string, number, Promise<{ status: number; text: string }>][] = [
      ['token', 200, police.get('/token', HTML)],
      ['401', 401, example.client().get('/bake', HTML)],
      ['403', 403, police.get('/bake', HTML)],
      ['admin page, not a manager', 403, police.get('/manage_capabilities', HTML)],
      ['admin page', 200, example.signedIn('admin@example.com').then((admin) => admin.get('/manage_capabilities', HTML))],
    ];
    for (const [name, status, asked] of pages) {
      const reply = await asked;
      assert.equal(reply.status, status, name);
      assert.match(reply.text, /<a [^>]*href="\/"[^>]*>Home<\/a>/, `${name} links home`);
    }
  });

  it('says once what is missing on the 401 and 403 pages', async () => {
    const police = await example.signedIn('police@example.com');
    for (const [reply, missing] of [
      [await example.client().get('/bake', HTML), 'bake'],
      [await police.get('/bake', HTML), 'bake'],
      [await police.get('/manage_capabilities', HTML), 'user_management'],
    ] as const) {
      const text = readable(reply.text);
      assert.equal(timesNamed(text, missing), 1, `${reply.status}: ${text}`);
      assert.match(text, new RegExp(`This page needs the capability ${missing} \\.`));
    }
  });

  it('lists the accounts of the capability file in use on the development sign-in page', async () => {
    const repository = await example.client().get('/login/dev', HTML);
    for (const [email, held] of [
      ['admin@example.com', 'admin'],
      ['baker@example.com', 'baker'],
      ['police@example.com', 'police'],
      ['mafia@example.com', 'mafia'],
    ]) {
      assert.ok(repository.text.includes(`<li><code>${email}</code>: ${held}</li>`), email);
      assert.ok(repository.text.includes(`<option value="${email}">`), email);
    }
    assert.doesNotMatch(repository.text, /bot@service/, 'a service account never signs in');
    assert.match(repository.text, /<input type="text" name="email"[^>]* list="account-emails"/);

    const other = await startExample({
      caps: 'capabilities:\n  read: []\n  bake: []\n  arrest: []\n  racket: []\ndefault: [read]\nusers:\n  ada@example.org: [bake]\npinned:\n  grace@example.org: [arrest]\n',
    });
    try {
      const page = await other.client().get('/login/dev', HTML);
      assert.match(page.text, /<li><code>ada@example\.org<\/code>: bake<\/li>\n<li><code>grace@example\.org<\/code>: arrest<\/li>/);
      assert.doesNotMatch(page.text, /admin@example\.com/);
    } finally {
      await other.close();
    }
  });
});
