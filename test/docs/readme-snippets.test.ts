import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import ts from 'typescript';

const ROOT = join(__dirname, '..', '..', '..');

/** The README's TypeScript blocks that import something: whole files a reader may paste. */
function pasteableSnippets(): { line: number; code: string }[] {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const snippets: { line: number; code: string }[] = [];
  for (const match of readme.matchAll(/```ts\n([\s\S]*?)```/g)) {
    const code = match[1] ?? '';
    if (/^import /m.test(code)) snippets.push({ line: readme.slice(0, match.index).split('\n').length, code });
  }
  return snippets;
}

describe('the README', () => {
  const snippets = pasteableSnippets();

  it('has at least the quick start to check', () => {
    assert.ok(snippets.length >= 1);
  });

  // One program for every snippet: the library and its types are checked once, not once per snippet.
  let program: ts.Program | undefined;
  const fileOf = (snippet: { line: number }): string => join(ROOT, `readme-snippet-${snippet.line}.ts`);
  const compiled = (): ts.Program => {
    if (program !== undefined) return program;
    const options: ts.CompilerOptions = {
      ...ts.parseJsonConfigFileContent(ts.readConfigFile(join(ROOT, 'tsconfig.json'), (path) => ts.sys.readFile(path)).config, ts.sys, ROOT).options,
      noEmit: true,
      incremental: false,
      noUnusedLocals: false,
      baseUrl: ROOT,
      paths: {
        'nest-capabilities': ['src/index.ts'],
        'nest-capabilities/testing': ['src/testing/index.ts'],
        'nest-capabilities/openapi': ['src/openapi/index.ts'],
        'nest-capabilities/extend': ['src/extend/index.ts'],
        'nest-capabilities/graphql': ['src/graphql/index.ts'],
      },
    };
    // The test runner's globals, as Jest and Vitest (globals: true) declare them: the testing-kit example uses them.
    const globals: [string, string] = [
      join(ROOT, 'readme-runner-globals.d.ts'),
      [
        'declare function describe(name: string, body: () => void): void;',
        'declare function it(name: string, body: () => unknown): void;',
        'declare function beforeAll(body: () => unknown): void;',
        'declare function afterAll(body: () => unknown): void;',
      ].join('\n'),
    ];
    const codeOf = new Map([...snippets.map((snippet): [string, string] => [fileOf(snippet), snippet.code]), globals]);
    const host = ts.createCompilerHost(options);
    const readFile = host.readFile.bind(host);
    host.readFile = (name) => codeOf.get(name) ?? readFile(name);
    const fileExists = host.fileExists.bind(host);
    host.fileExists = (name) => codeOf.has(name) || fileExists(name);
    program = ts.createProgram([...codeOf.keys()], options, host);
    return program;
  };

  for (const snippet of snippets) {
    it(`compiles the snippet at README.md:${snippet.line} as written`, () => {
      const program = compiled();
      const source = program.getSourceFile(fileOf(snippet));
      assert.ok(source !== undefined);
      const problems = [...program.getSyntacticDiagnostics(source), ...program.getSemanticDiagnostics(source)].map((diagnostic) =>
        ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'),
      );
      assert.deepEqual(problems, []);
    });
  }
});
