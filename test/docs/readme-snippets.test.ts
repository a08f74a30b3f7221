import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import ts from 'typescript';
import { readmeSnippets, ROOT, type ReadmeSnippet } from './readme-snippets';

describe('the README', () => {
  const snippets = readmeSnippets();

  it('has at least the quick start to check', () => {
    assert.ok(snippets.length >= 1);
  });

  // One program for every snippet: the library and its types are checked once, not once per snippet.
  let program: ts.Program | undefined;
  // A block that names its project file is that file, so that another block imports it by its path.
  const fileOf = (snippet: ReadmeSnippet): string => join(ROOT, 'readme-project', snippet.path ?? `readme-snippet-${snippet.line}.ts`);
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
      join(ROOT, 'readme-project', 'runner-globals.d.ts'),
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
    const directoryExists = host.directoryExists?.bind(host);
    host.directoryExists = (name) => [...codeOf.keys()].some((file) => file.startsWith(`${name}/`)) || (directoryExists?.(name) ?? true);
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
