import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ROOT } from './readme-snippets';

const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
const results = readFileSync(join(ROOT, 'bench', 'RESULTS.md'), 'utf8');

/** The sections of RESULTS.md by what the README calls them: `1`, `2`, ... for "## 1. ...", `the targets` for "## Targets". */
function resultSections(): Map<string, string> {
  const sections = new Map<string, string>();
  for (const section of results.split(/^(?=## )/m)) {
    const heading = /^## (?:(\d+)\.|(Targets)\b)/.exec(section);
    if (heading?.[1] !== undefined) sections.set(heading[1], section);
    if (heading?.[2] !== undefined) sections.set('the targets', section);
  }
  return sections;
}

/** A README table that quotes RESULTS.md: the parts it names, and the figures of its cells. */
interface QuotingTable {
  readonly line: number;
  readonly parts: string[];
  readonly figures: string[];
}

const PART = String.raw`(?:\d+|the targets)`;
const QUOTES = new RegExp(String.raw`\bparts? (${PART}(?:(?:, | and )${PART})*) of \[\`bench/RESULTS\.md\`\]`);

/**
 * Each README table whose lead-in says which parts of RESULTS.md it quotes, with every
 * number of its cells but the first column (what is measured) and a `goal` column.
 */
function quotingTables(): QuotingTable[] {
  const lines = readme.split('\n');
  const tables: QuotingTable[] = [];
  lines.forEach((text, index) => {
    const quoted = QUOTES.exec(text);
    if (quoted === null) return;
    const start = lines.findIndex((candidate, at) => at > index && candidate.startsWith('|'));
    const rows: string[][] = [];
    for (let at = start; at >= 0 && at < lines.length && lines[at]!.startsWith('|'); at++) rows.push(lines[at]!.split('|').slice(1, -1).map((cell) => cell.trim()));
    const header = rows[0] ?? [];
    const figures = rows
      .slice(2)
      .flatMap((cells) => cells.filter((_, column) => column > 0 && header[column] !== 'goal'))
      .flatMap((cell) => cell.match(/\d[\d,]*(?:\.\d+)?/g) ?? []);
    tables.push({ line: index + 1, parts: (quoted[1] ?? '').split(/, | and /), figures });
  });
  return tables;
}

/** Whether `figure` stands in `text` as a number of its own, not as a piece of a longer one. */
function quotes(text: string, figure: string): boolean {
  const escaped = figure.replace(/[.,]/g, (mark) => `\\${mark}`);
  return new RegExp(String.raw`(?<![\d.,])${escaped}(?![\d]|[.,]\d)`).test(text);
}

describe('the README\'s benchmark figures', () => {
  const tables = quotingTables();
  const sections = resultSections();

  it('come in tables that say which parts of bench/RESULTS.md they quote: the guarded requests and the Redis store', () => {
    assert.ok(tables.length >= 2, `tables found at lines ${tables.map((table) => table.line).join(', ')}`);
    for (const table of tables) {
      assert.ok(table.figures.length >= 3, `the table at README.md:${table.line} quotes figures`);
      for (const part of table.parts) assert.ok(sections.has(part), `RESULTS.md has a part "${part}" (README.md:${table.line})`);
    }
  });

  for (const table of tables) {
    it(`are in the parts of bench/RESULTS.md the table at README.md:${table.line} names`, () => {
      const quoted = table.parts.map((part) => sections.get(part) ?? '').join('\n');
      const missing = table.figures.filter((figure) => !quotes(quoted, figure));
      assert.deepEqual(missing, [], `figures of README.md:${table.line} that parts ${table.parts.join(', ')} of RESULTS.md do not hold`);
    });
  }
});
