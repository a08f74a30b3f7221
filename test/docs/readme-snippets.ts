import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The repository's root, from the compiled test files in dist/test/docs. */
export const ROOT = join(__dirname, '..', '..', '..');

/** A TypeScript block of the README that imports something: a whole file a reader may paste. */
export interface ReadmeSnippet {
  /** The line of the README the block starts at. */
  readonly line: number;
  readonly code: string;
  /** The project file the block says it is (`// src/app.module.ts` as its first line), if it says. */
  readonly path: string | undefined;
}

const FILE_NAME = /^\/\/ ((?:src|test)\/[\w./-]+\.ts)\n/;

/** The README's TypeScript blocks that import something, in order. */
export function readmeSnippets(): ReadmeSnippet[] {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const snippets: ReadmeSnippet[] = [];
  for (const match of readme.matchAll(/```ts\n([\s\S]*?)```/g)) {
    const code = match[1] ?? '';
    if (!/^import /m.test(code)) continue;
    snippets.push({ line: readme.slice(0, match.index).split('\n').length, code, path: FILE_NAME.exec(code)?.[1] });
  }
  return snippets;
}

/** The README block that is project file `path`; fails when there is none. */
export function readmeFile(path: string): ReadmeSnippet {
  const snippet = readmeSnippets().find((candidate) => candidate.path === path);
  if (snippet === undefined) throw new Error(`the README shows no ${path}`);
  return snippet;
}
