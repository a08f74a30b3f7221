import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { generatedGrant, generatedPeople, managersCapsWith } from '../fixtures/managers-caps';
import { ADAPTERS, startExample, type RunningExample } from '../support/example-server';
import type { HttpClient } from '../support/http-client';

const HTML = { accept: 'text/html' };
const PEOPLE = 2_400;
const SERVICES = 130;
/** Every person of the store, in email order: the three of MANAGERS_CAPS, then the generated ones. */
const EVERYONE = ['bob@example.com', 'lead@example.com', 'root@example.com', ...generatedPeople(PEOPLE)];

/** The accounts listed on an admin page, in order. */
function rowsOf(page: string): string[] {
  return [...page.matchAll(/<tr data-email="([^"]+)">/g)].map((match) => match[1]!);
}

function serviceRowsOf(page: string): string[] {
  return [...page.matchAll(/<tr data-service="([^"]+)">/g)].map((match) => match[1]!);
}

/** The text of a pager: "51–100 of 2,403". */
function countOf(page: string, pager: 'accounts-pager' | 'services-pager'): string | undefined {
  return new RegExp(`<nav class="pager" id="${pager}"[^>]*><span class="count">([^<]*)</span>`).exec(page)?.[1];
}

/** The address a pager link of `rel` leads to, unescaped. */
function linkOf(page: string, pager: 'accounts-pager' | 'services-pager', rel: 'next' | 'prev'): string | undefined {
  const nav = new RegExp(`<nav class="pager" id="${pager}".*?</nav>`).exec(page)?.[0] ?? '';
  return new RegExp(`<a rel="${rel}" href="([^"]+)"`).exec(nav)?.[1]?.replaceAll('&amp;', '&');
}

for (const adapter of ADAPTERS) {
  describe(`the admin page of a large store on ${adapter}`, () => {
    let example: RunningExample;
    let lead: HttpClient;

    before(async () => {
      example = await startExample({ adapter, caps: managersCapsWith(PEOPLE, SERVICES) });
      lead = await example.signedIn('lead@example.com');
    });
    after(() => example.close());

    it('lists the accounts 50 at a time, in email order, with links to the pages around', async () => {
      const first = await lead.get('/manage_capabilities', HTML);
      assert.equal(first.status, 200);
      assert.deepEqual(rowsOf(first.text), EVERYONE.slice(0, 50));
      assert.equal(countOf(first.text, 'accounts-pager'), `1–50 of ${EVERYONE.length.toLocaleString('en-US')}`);
      assert.equal(linkOf(first.text, 'accounts-pager', 'prev'), undefined);
      assert.ok(first.text.length < 150_000, `a page of 50 accounts, not all ${EVERYONE.length}: ${first.text.length} characters`);

      const second = await lead.get(linkOf(first.text, 'accounts-pager', 'next')!, HTML);
      assert.deepEqual(rowsOf(second.text), EVERYONE.slice(50, 100));
      assert.equal(linkOf(second.text, 'accounts-pager', 'prev'), '/manage_capabilities');

      const lastPage = Math.ceil(EVERYONE.length / 50);
      const last = await lead.get(`/manage_capabilities?page=${lastPage}`, HTML);
      assert.deepEqual(rowsOf(last.text), EVERYONE.slice((lastPage - 1) * 50));
      assert.equal(linkOf(last.text, 'accounts-pager', 'next'), undefined);
      const past = await lead.get('/manage_capabilities?page=9999', HTML);
      assert.deepEqual(rowsOf(past.text), rowsOf(last.text), 'a page past the end shows the last one');
    });

    it('pages the service accounts apart, keeping the page of the people', async () => {
      const robots = Array.from({ length: SERVICES }, (_, index) => `robot${String(index).padStart(3, '0')}@service`);
      const page = await lead.get('/manage_capabilities?page=3&services_page=2', HTML);
      assert.deepEqual(serviceRowsOf(page.text), robots.slice(50, 100));
      assert.deepEqual(rowsOf(page.text), EVERYONE.slice(100, 150));
      assert.equal(countOf(page.text, 'services-pager'), '51–100 of 130');
      assert.equal(linkOf(page.text, 'services-pager', 'next'), '/manage_capabilities?page=3&services_page=3');
    });

    it('searches and filters by capability on the server, and pages what matches', async () => {
      const searched = EVERYONE.filter((email) => email.includes('user12'));
      const search = await lead.get('/manage_capabilities?email=USER12', HTML);
      assert.deepEqual(rowsOf(search.text), searched.slice(0, 50));
      assert.equal(countOf(search.text, 'accounts-pager'), `1–50 of ${searched.length}`);
      assert.equal(linkOf(search.text, 'accounts-pager', 'next'), '/manage_capabilities?email=USER12&page=2');

      // Bakers: lead, root (admin), and every seventh generated person.
      const bakers = EVERYONE.filter((email, index) => email === 'lead@example.com' || email === 'root@example.com' || (index >= 3 && generatedGrant(index - 3) === 'bake'));
      const filtered = await lead.get('/manage_capabilities?capability=bake&page=2', HTML);
      assert.deepEqual(rowsOf(filtered.text), bakers.slice(50, 100));
      assert.equal(countOf(filtered.text, 'accounts-pager'), `51–100 of ${bakers.length}`);
      assert.match(filtered.text, /<option value="bake" selected>bake<\/option>/);

      const both = await lead.get('/manage_capabilities?email=user00&capability=bake', HTML);
      assert.deepEqual(rowsOf(both.text), bakers.filter((email) => email.includes('user00')));
      const none = await lead.get('/manage_capabilities?capability=no-such-capability', HTML);
      assert.deepEqual(rowsOf(none.text), []);
      assert.match(none.text, /No account matches\./);
    });

    it('posts a form back to the view it came from', async () => {
      const view = '/manage_capabilities?email=user1&capability=write&page=2';
      const page = await lead.get(view, HTML);
      const shown = rowsOf(page.text);
      const target = shown[7]!;
      const action = /<form method="post" action="([^"]+)" id="grant-form">/.exec(page.text)?.[1]?.replaceAll('&amp;', '&');
      assert.equal(action, view);
      const answer = await lead.postForm(action, { op: 'add', email: target, capability: 'bake' }, { ...HTML, origin: example.baseUrl });
      assert.equal(answer.status, 200, answer.text);
      assert.match(answer.text, new RegExp(`Granted bake to ${target.replace('.', '\\.')}\\.`));
      assert.deepEqual(rowsOf(answer.text), shown, 'the same page of the same search and filter');
      assert.match(answer.text, /<input type="search" name="email" value="user1">/);
      const row = answer.text.split(`<tr data-email="${target}">`)[1]?.split('</tr>')[0] ?? '';
      assert.ok(row.includes('<span class="cap">bake'), row);
    });
  });
}
